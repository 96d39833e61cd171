// A raw RESP client over TCP: sends commands, returns each reply's exact bytes.
import { connect, type Socket } from 'node:net';
import { fromBytes } from '../../src/protocol/bytes.js';
import { encodeCommand } from '../../src/protocol/resp-encode.js';
import { parseReply } from '../../src/protocol/resp-reply.js';
import { toBytes } from '../../src/protocol/bytes.js';

export class RawClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf += fromBytes(d);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = connect(port, host, () => res(new RawClient(s)));
      s.once('error', rej);
    });
  }

  /** Send commands (pipelined) and return each reply as a RESP byte string. */
  async call(cmds: string[][]): Promise<string[]> {
    this.sock.write(toBytes(cmds.map(encodeCommand).join('')));
    return this.read(cmds.length);
  }

  /** Send raw bytes and read `n` replies. */
  async raw(bytes: string, n: number): Promise<string[]> {
    this.sock.write(toBytes(bytes));
    return this.read(n);
  }

  private async read(n: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < n) {
      const r = this.buf.length ? parseReply(this.buf, 0) : null;
      if (r) {
        out.push(this.buf.slice(0, r.end));
        this.buf = this.buf.slice(r.end);
        continue;
      }
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timeout waiting for reply ${out.length + 1}/${n}`)), 5000);
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
    return out;
  }

  close(): void {
    this.sock.destroy();
  }
}
