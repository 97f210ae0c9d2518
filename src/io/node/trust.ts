/**
 * The Node adapter's trust store. Without `ca`, the default is Node's own:
 * tls.rootCertificates (the Mozilla set Node bundles) plus the certificates in
 * the file named by NODE_EXTRA_CA_CERTS. As Node does, the variable is taken
 * once, when this module loads (Node: at process start; setting it later in
 * process.env changes nothing), and its file is read when the default store
 * is first needed; a file that cannot be read or holds no certificate is
 * reported with a process warning and skipped, as Node does.
 */
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { caList, type PemInput } from '../options.js';

/** NODE_EXTRA_CA_CERTS as it was when the adapter loaded. */
const EXTRA_CA_FILE = process.env.NODE_EXTRA_CA_CERTS;

let rootsDer: readonly Uint8Array[] | undefined;

/** tls.rootCertificates + NODE_EXTRA_CA_CERTS, decoded once. */
export function defaultRoots(): readonly Uint8Array[] {
  return (rootsDer ??= [...(caList([...tls.rootCertificates]) ?? []), ...extraRoots(EXTRA_CA_FILE)]);
}

function extraRoots(file: string | undefined): Uint8Array[] {
  if (!file) return [];
  try {
    return caList(readFileSync(file, 'utf8')) ?? [];
  } catch (e) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

/**
 * PEM `ca` text decoded once per distinct string: every connection made
 * with the same `ca` option then shares the same DER arrays, so src/x509's
 * parse cache (keyed by the array) hits and an idle connection holds no
 * copy of the parsed roots. Bounded; oldest entry evicted first.
 */
const caByPem = new Map<string, Uint8Array[]>();
const CA_CACHE_SIZE = 16;

export function sharedCa(ca: PemInput | readonly PemInput[] | undefined): PemInput | readonly PemInput[] | undefined {
  if (ca === undefined) return undefined;
  const one = (c: PemInput): PemInput | Uint8Array[] => {
    if (typeof c !== 'string') return c;
    let der = caByPem.get(c);
    if (!der) {
      der = caList(c) ?? [];
      if (caByPem.size >= CA_CACHE_SIZE) caByPem.delete(caByPem.keys().next().value!);
      caByPem.set(c, der);
    }
    return der;
  };
  if (typeof ca === 'string' || ca instanceof Uint8Array) return one(ca);
  return (ca as readonly PemInput[]).flatMap(one);
}
