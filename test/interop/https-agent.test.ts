/**
 * Node's `https` over puretls with an Agent that caches sessions (issue 9):
 * the README's PuretlsAgent recipe is taken from README.md and run as
 * written (its imports supplied by the test: node:https and this package's
 * `connect`), against Node's https server and against a puretls server (the
 * Node adapter's createServer feeding Node's http server). Each case asserts
 * resumption from both sides: the client's `isSessionReused()` on each
 * response's socket and the server's `isSessionReused()` on each request's
 * socket, and that the session came from the Agent's own cache. Node's own
 * https.Agent (Node's TLS) against the puretls server resumes as well.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer } from '../../src/io/node.js';
import { closeServer, listen } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
const servers: Server[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  for (const s of servers) await closeServer(s);
  pki?.cleanup();
});

const IMPORTS = "import https from 'node:https';\nimport { connect } from 'puretls';\n";

/** The ```js block of README.md that contains `marker`. */
function readmeJsBlock(marker: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const found = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes(marker));
  expect(found).toHaveLength(1);
  return found[0]!;
}

interface AgentLike {
  _sessionCache: { map: Record<string, Buffer>; list: string[] };
}

/** Run the README recipe against 127.0.0.1:`port` (as localhost); its console lines and its agent. */
async function runRecipe(port: number): Promise<{ lines: string[]; agent: AgentLike }> {
  const code = readmeJsBlock('class PuretlsAgent extends https.Agent');
  expect(code.startsWith(IMPORTS), 'the recipe starts with its two imports').toBe(true);
  const lines: string[] = [];
  const console = { log: (...a: unknown[]) => lines.push(a.map(String).join(' ')) };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<AgentLike>;
  const recipe = new AsyncFunction('https', 'connect', 'ca', 'port', 'console', `${code.slice(IMPORTS.length)}\nreturn agent;`);
  const agent = await recipe(https, connect, pki.ca.cert, port, console);
  return { lines, agent };
}

/** Each request's server-side `isSessionReused()`, in order. */
function handler(seen: boolean[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push((req.socket as unknown as { isSessionReused(): boolean }).isSessionReused());
    res.end(`hello ${req.url}`);
  };
}

describe("https.get with the README's PuretlsAgent (Node's session cache, puretls's connect)", () => {
  it("→ Node's https server: the second request resumes, seen from both sides", async () => {
    const seen: boolean[] = [];
    const server = https.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3' }, handler(seen));
    servers.push(server);
    const { lines, agent } = await runRecipe(await listen(server));
    expect(lines).toEqual(['/ 200 resumed: false', '/again 200 resumed: true']);
    expect(seen).toEqual([false, true]);
    // The session lives in the Agent's own cache, under the Agent's key for this origin.
    expect(agent._sessionCache.list).toHaveLength(1);
    expect(agent._sessionCache.list[0]).toMatch(/^localhost:\d+:/);
  });

  it('→ a puretls server (createServer feeding http.Server): the second request resumes, seen from both sides', async () => {
    const seen: boolean[] = [];
    const web = http.createServer(handler(seen));
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, (s) => web.emit('connection', s));
    servers.push(server);
    const { lines, agent } = await runRecipe(await listen(server));
    expect(lines).toEqual(['/ 200 resumed: false', '/again 200 resumed: true']);
    expect(seen).toEqual([false, true]);
    expect(agent._sessionCache.list).toHaveLength(1);
  });
});

describe("Node's own https.Agent (Node's TLS) → a puretls server", () => {
  it('the Agent offers the session of our ticket and the second request resumes', async () => {
    const seen: boolean[] = [];
    const web = http.createServer(handler(seen));
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, (s) => web.emit('connection', s));
    servers.push(server);
    const port = await listen(server);
    const agent = new https.Agent({ ca: pki.ca.cert, minVersion: 'TLSv1.3' });
    const reused: boolean[] = [];
    for (const path of ['/', '/again']) {
      await new Promise<void>((done, fail) => {
        https.get({ host: 'localhost', port, path, agent }, (res) => {
          reused.push((res.socket as import('node:tls').TLSSocket).isSessionReused());
          res.resume().on('end', done);
        }).on('error', fail);
      });
    }
    agent.destroy();
    expect(reused).toEqual([false, true]);
    expect(seen).toEqual([false, true]);
  });
});
