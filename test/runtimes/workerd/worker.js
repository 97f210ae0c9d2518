/**
 * A Cloudflare Worker (run by workerd in test/runtimes/workerd.test.ts): on
 * POST { port, provider, message, ca } it opens a plain TCP socket with
 * connect() (secureTransport: 'off') to 127.0.0.1:port, speaks TLS 1.3 over
 * it with puretls/web, sends `message`, reads the echo, closes with
 * close_notify and answers with what was negotiated and received.
 */
import { connect } from 'cloudflare:sockets';
import { secureWebStream } from 'puretls/web';
import 'puretls/web/webcrypto'; // provider: 'webcrypto' is opt-in in puretls/web

export default {
  async fetch(request) {
    const { port, provider, message, ca } = await request.json();
    const socket = connect({ hostname: '127.0.0.1', port }, { secureTransport: 'off', allowHalfOpen: true });
    try {
      const tls = secureWebStream({ readable: socket.readable, writable: socket.writable }, { servername: 'localhost', ca, provider });
      const info = await tls.handshake;
      const w = tls.writable.getWriter();
      const sent = new TextEncoder().encode(message);
      await w.write(sent);
      const reader = tls.readable.getReader();
      const chunks = [];
      let got = 0;
      while (got < sent.length) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        got += value.length;
      }
      await w.close(); // close_notify
      while (!(await reader.read()).done);
      const closed = await tls.closed;
      const echoed = new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
      return Response.json({
        protocol: info.protocol, cipherSuite: info.cipherSuite, group: info.group, signatureScheme: info.signatureScheme,
        servername: info.servername, peerVerified: info.peerVerified, echoed, closed, state: tls.connection.state,
      });
    } catch (e) {
      return Response.json({ error: String(e?.message ?? e), code: e?.code }, { status: 500 });
    }
  },
};
