/**
 * A puretls endpoint run inside Deno or Bun (test/runtimes/*.test.ts start it
 * with the runtime's binary). It uses the runtime's own TCP sockets: Deno's
 * Deno.connect/Deno.listen streams, Bun's Bun.connect/Bun.listen through
 * puretls/bun. Each step is reported as one JSON line on stdout.
 *
 *   client PORT CA_FILE PROVIDER MESSAGE EXPECT
 *     connect to 127.0.0.1:PORT (servername localhost), send MESSAGE, read
 *     until EXPECT arrived, close (close_notify), read to the end.
 *   server CERT_FILE KEY_FILE PROVIDER echo LIMIT | pipe | http
 *     listen on 127.0.0.1 (free port), take one connection: echo LIMIT bytes
 *     back, or answer one HTTP/1.1 request, then close first (close_notify)
 *     and read until the peer's close_notify; or (pipe) echo until the
 *     peer's close_notify and answer it with ours.
 */
import { secureWebStream } from 'puretls/web';
// puretls/web leaves these out by default (a browser client needs neither): the server role and provider: 'webcrypto'.
import 'puretls/web/server';
import 'puretls/web/webcrypto';

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : undefined;
if (!runtime) throw new Error('run this with deno or bun');
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const say = (o) => console.log(JSON.stringify({ runtime, ...o }));
const readText = async (path) => (globalThis.Deno ? Deno.readTextFile(path) : Bun.file(path).text());
const enc = new TextEncoder();
const dec = new TextDecoder();

async function tcpConnect(port, tlsOptions) {
  if (runtime === 'deno') {
    const conn = await Deno.connect({ hostname: '127.0.0.1', port });
    return secureWebStream({ readable: conn.readable, writable: conn.writable }, tlsOptions);
  }
  const { bunConnect } = await import('puretls/bun');
  return bunConnect({ hostname: '127.0.0.1', port, ...tlsOptions });
}

/** Listen, report the port, resolve with the first connection's secure stream. */
async function tcpAcceptOne(tlsOptions) {
  if (runtime === 'deno') {
    const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
    say({ event: 'listening', port: listener.addr.port });
    const conn = await listener.accept();
    listener.close();
    return secureWebStream({ readable: conn.readable, writable: conn.writable }, { ...tlsOptions, isServer: true });
  }
  const { bunListen } = await import('puretls/bun');
  return new Promise((resolve) => {
    const l = bunListen({ hostname: '127.0.0.1', port: 0, ...tlsOptions }, (tls) => { l.stop(); resolve(tls); });
    say({ event: 'listening', port: l.port });
  });
}

function describe(info) {
  return { protocol: info.protocol, cipherSuite: info.cipherSuite, group: info.group, signatureScheme: info.signatureScheme, peerVerified: info.peerVerified };
}

async function client([port, caFile, provider, message, expect]) {
  const tls = await tcpConnect(Number(port), { servername: 'localhost', ca: await readText(caFile), provider });
  say({ event: 'handshake', ...describe(await tls.handshake) });
  const w = tls.writable.getWriter();
  await w.write(enc.encode(message));
  const reader = tls.readable.getReader();
  let got = '';
  while (!got.includes(expect)) {
    const { value, done } = await reader.read();
    if (done) break;
    got += dec.decode(value, { stream: true });
  }
  say({ event: 'data', text: got });
  await w.close(); // close_notify
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    got += dec.decode(value, { stream: true });
  }
  say({ event: 'closed', ...(await tls.closed), state: tls.connection.state, text: got });
}

async function server([certFile, keyFile, provider, mode, ...rest]) {
  const tls = await tcpAcceptOne({ cert: await readText(certFile), key: await readText(keyFile), provider });
  say({ event: 'handshake', ...describe(await tls.handshake) });
  let bytes = 0;
  if (mode === 'pipe') {
    // Echo until the peer's close_notify ends the readable; then ours goes out (the peer closes first).
    const count = new TransformStream({ transform(chunk, c) { bytes += chunk.length; c.enqueue(chunk); } });
    await tls.readable.pipeThrough(count).pipeTo(tls.writable);
  } else if (mode === 'echo') {
    // Echo LIMIT bytes, then close first (close_notify) and read on until the peer's close_notify.
    const limit = Number(rest[0]);
    const reader = tls.readable.getReader();
    const w = tls.writable.getWriter();
    while (bytes < limit) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.length;
      await w.write(value);
    }
    await w.close();
    while (!(await reader.read()).done);
  } else {
    const reader = tls.readable.getReader();
    let request = '';
    while (!request.includes('\r\n\r\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.length;
      request += dec.decode(value, { stream: true });
    }
    say({ event: 'request', line: request.split('\r\n')[0] });
    const body = `hello from ${runtime} over puretls (${provider})\n`;
    const w = tls.writable.getWriter();
    await w.write(enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
    await w.close(); // close_notify
    reader.releaseLock();
    await tls.readable.pipeTo(new WritableStream()).catch(() => undefined);
  }
  say({ event: 'closed', ...(await tls.closed), state: tls.connection.state, bytes });
}

const [mode, ...rest] = args;
try {
  if (mode === 'client') await client(rest);
  else if (mode === 'server') await server(rest);
  else throw new Error(`unknown mode ${mode}`);
} catch (e) {
  say({ event: 'error', message: String(e?.message ?? e), code: e?.code });
}
if (globalThis.Deno) Deno.exit(0);
else process.exit(0);
