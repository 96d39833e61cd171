// Stands in for the Node built-ins fengari requires only on paths scripts never reach (io, os,
// package, the debug REPL): the Workers bundle resolves `fs`, `os`, `readline-sync`… to this.
export const platform = (): string => 'linux';
export const setDefaultOptions = (): void => {};
export const prompt = (): string => '';
export default { platform, setDefaultOptions, prompt };
