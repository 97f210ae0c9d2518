/**
 * The local HTTP server of the browser test (127.0.0.1 only): it serves the
 * page (config, import map, held "done" image), the page script (transpiled
 * from test/browser/page.ts), the modules of dist/src/core.js's graph and
 * nothing else; it takes the page's POSTed result; and it bridges the page's
 * WebSocket to the TLS server under test.
 *
 * Completion without timing: the page holds an <img> whose response the
 * server sends only once the page POSTed its result, so Chromium's load event
 * (after which --dump-dom prints the DOM and exits) cannot come earlier.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import ts from 'typescript';
import { closeServer, listen } from '../../interop/helpers/net.js';
import type { PageConfig, PageResult } from '../page.js';
import { moduleGraph, type ModuleGraph } from './module-graph.js';
import { bridgeWebSocketToTcp, type BridgeStats } from './websocket.js';

const MAX_RESULT_BYTES = 1 << 20;

export interface PageRunOptions {
  provider: PageConfig['provider'];
  ca: string;
  servername: string;
  message: string;
  /** Bytes echoed after the message (default 0). */
  bulkBytes?: number;
  /** TCP port of the TLS server on 127.0.0.1 that the bridge connects to. */
  upstreamPort: number;
}

export interface PageRun {
  id: string;
  /** The page to load. */
  url: string;
  /** The result the page POSTed. */
  result: Promise<PageResult>;
  /** One entry per WebSocket the page opened. */
  bridges: BridgeStats[];
}

export interface PageServer {
  origin: string;
  graph: ModuleGraph;
  /** Every request the browser made: `METHOD path status`. */
  requests: string[];
  addRun(opts: PageRunOptions): PageRun;
  close(): Promise<void>;
}

interface RunState {
  run: PageRun;
  opts: PageRunOptions;
  resolve(r: PageResult): void;
  reject(e: Error): void;
  posted: boolean;
  /** Held responses to /done, answered once the result arrived. */
  heldDone: ServerResponse[];
}

/** JSON inside a <script> element: no '<' (so no '</script>'), no U+2028/2029 surprises. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function pageHtml(id: string, importMap: ModuleGraph['importMap'], cfg: PageConfig): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>puretls in a browser</title>
<script type="importmap">${scriptJson(importMap)}</script>
<script type="application/json" id="config">${scriptJson(cfg)}</script>
</head><body>
<pre id="result"></pre>
<img src="/run/${id}/done" alt="">
<script type="module" src="/run/${id}/page.js"></script>
</body></html>
`;
}

/** Start the server; `root` is the repo root (dist/ must be built). */
export async function startPageServer(root: string): Promise<PageServer> {
  const graph = moduleGraph(root, join(root, 'dist/src/core.js'));
  const pageJs = ts.transpileModule(readFileSync(join(root, 'test/browser/page.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const runs = new Map<string, RunState>();
  const requests: string[] = [];
  let origin = '';
  let nextId = 1;

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const log = (status: number | string) => requests.push(`${req.method} ${path} ${status}`);
    const m = /^\/run\/(\d+)\/(page\.html|page\.js|done|result)$/.exec(path);
    if (m) {
      const st = runs.get(m[1]!);
      if (!st) { log(404); return send(res, 404, 'text/plain', 'no such run'); }
      const what = m[2]!;
      if (what === 'page.html' && req.method === 'GET') {
        const cfg: PageConfig = {
          coreUrl: '/dist/src/core.js',
          ws: `${origin.replace(/^http/, 'ws')}/run/${st.run.id}/bridge`,
          resultUrl: `/run/${st.run.id}/result`,
          provider: st.opts.provider,
          ca: st.opts.ca,
          servername: st.opts.servername,
          message: st.opts.message,
          bulkBytes: st.opts.bulkBytes ?? 0,
        };
        log(200);
        return send(res, 200, 'text/html; charset=utf-8', pageHtml(st.run.id, graph.importMap, cfg));
      }
      if (what === 'page.js' && req.method === 'GET') {
        log(200);
        return send(res, 200, 'text/javascript; charset=utf-8', pageJs);
      }
      if (what === 'done' && req.method === 'GET') {
        log('held');
        if (st.posted) return send(res, 204, 'text/plain', '');
        st.heldDone.push(res);
        return;
      }
      if (what === 'result' && req.method === 'POST') {
        const parts: Buffer[] = [];
        let n = 0;
        req.on('data', (d: Buffer) => {
          n += d.length;
          if (n > MAX_RESULT_BYTES) req.destroy();
          else parts.push(d);
        });
        req.on('end', () => {
          log(204);
          send(res, 204, 'text/plain', '');
          if (st.posted) return;
          st.posted = true;
          try {
            st.resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as PageResult);
          } catch (e) {
            st.reject(new Error(`the page posted something that is not JSON: ${String(e)}`));
          }
          for (const r of st.heldDone.splice(0)) send(r, 204, 'text/plain', '');
        });
        return;
      }
    }
    const file = req.method === 'GET' ? graph.files.get(path) : undefined;
    if (file) {
      log(200);
      return send(res, 200, file.endsWith('.json') ? 'application/json' : 'text/javascript; charset=utf-8', readFileSync(file));
    }
    log(404);
    send(res, 404, 'text/plain', 'not found');
  };

  const server: Server = createServer(handle);
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/run\/(\d+)\/bridge$/.exec(path);
    const st = m ? runs.get(m[1]!) : undefined;
    if (!st) {
      requests.push(`UPGRADE ${path} 404`);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const stats = bridgeWebSocketToTcp(req, socket, head, origin, st.opts.upstreamPort);
    requests.push(`UPGRADE ${path} ${stats ? 101 : 400}`);
    if (stats) st.run.bridges.push(stats);
  });
  const port = await listen(server, '127.0.0.1');
  origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    graph,
    requests,
    addRun(opts) {
      const id = String(nextId++);
      let resolve!: (r: PageResult) => void;
      let reject!: (e: Error) => void;
      const result = new Promise<PageResult>((res, rej) => { resolve = res; reject = rej; });
      result.catch(() => undefined);
      const run: PageRun = { id, url: `${origin}/run/${id}/page.html`, result, bridges: [] };
      runs.set(id, { run, opts, resolve, reject, posted: false, heldDone: [] });
      return run;
    },
    async close() {
      for (const st of runs.values()) for (const r of st.heldDone.splice(0)) r.destroy();
      await closeServer(server);
    },
  };
}
