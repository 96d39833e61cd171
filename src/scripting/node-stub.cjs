// Stands in for the Node built-ins fengari requires only on paths scripts never reach (io, os,
// package, the debug REPL): the Workers bundle resolves `fs`, `os`, `readline-sync`… to this.
// CommonJS, because fengari require()s it.
module.exports = {
  platform: () => 'linux',
  setDefaultOptions: () => {},
  prompt: () => '',
};
