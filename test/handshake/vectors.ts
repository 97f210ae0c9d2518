/** Reads test/vectors/rfc8448/transcripts.vec (RFC 8448 traces, from Botan) as sections of Key = hex. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../src/util/bytes.js';

const candidates = [fileURLToPath(new URL('../vectors/rfc8448/transcripts.vec', import.meta.url))];

export function loadRfc8448(): Map<string, Map<string, Uint8Array>> {
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error('transcripts.vec not found');
  const out = new Map<string, Map<string, Uint8Array>>();
  let cur: Map<string, Uint8Array> | undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const s = line.trim();
    if (s.startsWith('[')) { cur = new Map(); out.set(s.slice(1, -1), cur); continue; }
    const m = /^(\w+)\s*=\s*([0-9a-fA-F]*)$/.exec(s);
    if (m && cur && m[2]!.length % 2 === 0) cur.set(m[1]!, fromHex(m[2]!));
  }
  return out;
}
