// The few web-standard globals that both runtimes (Node and workerd) provide and the pure layers
// use; tsconfig.pure.json type-checks those layers against only these, without Workers or Node types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare function setTimeout(fn: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare const console: { log(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void };
