/**
 * Helpers for interop with external command-line peers (GnuTLS, Chromium):
 * finding a required binary (a missing one fails the test with a clear
 * message: CI installs them), the puretls CLI server, and the TCP port a
 * child process listens on (gnutls-serv prints no port when given -p 0).
 */
import { accessSync, constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CLI, run, type Child } from './net.js';

/** Absolute path of `name` on PATH; throws (test failure, not a skip) if it is missing. */
export function requireBinary(name: string, debianPackage: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed: this interop test needs it (apt-get install -y ${debianPackage}; .ci/run installs it)`);
}

/** Start `puretls serve --port 0 ARGS` and wait for its `listening on` line. */
export async function puretlsServe(args: string[]): Promise<{ child: Child; port: number }> {
  const child = run(process.execPath, [CLI, 'serve', '--port', '0', ...args]);
  const m = await child.waitFor(/listening on \S+:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** Socket inodes of a process (Linux /proc). */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  return out;
}

/**
 * The IPv4 TCP port on which process `pid` is listening, read from
 * /proc/net/tcp (state 0A = LISTEN) by the inodes of the process's sockets;
 * undefined while it has none.
 */
export function listeningTcpPort(pid: number): number | undefined {
  const inodes = socketInodes(pid);
  if (inodes.size === 0) return undefined;
  const lines = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
    if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
    return parseInt(f[1]!.split(':')[1]!, 16);
  }
  return undefined;
}

/**
 * Wait until `child` listens on a TCP port and return it. Waits on the
 * child's own "ready" output first (`ready` on `stream`), then reads the port (the
 * listen() happened before that line was printed).
 */
export async function waitForListeningPort(child: Child, ready: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<number> {
  await child.waitFor(ready, stream);
  const pid = child.proc.pid;
  if (pid === undefined) throw new Error('child has no pid');
  const port = listeningTcpPort(pid);
  if (port === undefined) throw new Error(`process ${pid} printed ${ready} but listens on no IPv4 TCP port`);
  return port;
}
