/** TCP sockets of this machine, from /proc/net/tcp{,6} (Linux): what `ss -tan` shows, without needing ss. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** RFC 793 state names as the kernel numbers them (include/net/tcp_states.h). */
const STATES: Record<number, string> = {
  1: 'ESTABLISHED', 2: 'SYN-SENT', 3: 'SYN-RECV', 4: 'FIN-WAIT-1', 5: 'FIN-WAIT-2', 6: 'TIME-WAIT',
  7: 'CLOSE', 8: 'CLOSE-WAIT', 9: 'LAST-ACK', 10: 'LISTEN', 11: 'CLOSING',
};

/** States of every TCP socket whose local port is `port` (the server side of its connections, and its listeners). */
export function socketStates(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const local = cols[1]!;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      out.push(STATES[parseInt(cols[3]!, 16)] ?? cols[3]!);
    }
  }
  return out;
}

/** Server-side connections still holding resources: everything but listeners and TIME-WAIT (kernel-only, no descriptor). */
export function liveServerSockets(port: number): string[] {
  return socketStates(port).filter((s) => s !== 'LISTEN' && s !== 'TIME-WAIT');
}

/** States of the TCP sockets process `pid` holds open (by the socket inodes of /proc/PID/fd), listeners excluded. */
export function processConnections(pid: number): string[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
      const state = STATES[parseInt(cols[3]!, 16)] ?? cols[3]!;
      if (state !== 'LISTEN') out.push(state);
    }
  }
  return out;
}
