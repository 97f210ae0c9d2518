import type { Socket } from 'node:net';
import type { ByteStreamPair } from '../../src/io/web.js';

/**
 * A TCP socket as a Web Streams pair whose readable ends at the peer's FIN and
 * whose writable's close sends ours (as Deno.connect's streams; Node's
 * Duplex.toWeb does not end the readable of a half-open socket).
 */
export function socketStreams(sock: Socket): ByteStreamPair {
  return {
    readable: new ReadableStream<Uint8Array>({
      start(c) {
        sock.on('data', (d: Buffer) => c.enqueue(new Uint8Array(d)));
        sock.on('end', () => c.close());
        sock.on('error', (e) => c.error(e));
      },
      cancel() { sock.destroy(); },
    }),
    writable: new WritableStream<Uint8Array>({
      write: (chunk) => new Promise<void>((res, rej) => { sock.write(chunk, (e) => (e ? rej(e) : res())); }),
      close: () => new Promise<void>((res) => { sock.end(() => res()); }),
      abort: () => { sock.destroy(); },
    }),
  };
}
