/**
 * Minimal PEM splitting for the adapters (RFC 7468): turns "one or more PEM
 * blocks" (a certificate chain, a CA bundle) into DER blocks. Portable: no
 * node: imports. Key parsing itself lives in src/x509 (parsePrivateKey).
 */

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/[^A-Za-z0-9+/=]/g, '');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** All PEM blocks in `text`, in order (headers such as Proc-Type are ignored). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!.split(/\r?\n/).filter((l) => !l.includes(':')).join('');
    out.push({ label: m[1]!, der: base64ToBytes(body) });
  }
  return out;
}

const decoder = new TextDecoder();

/** Text of a PEM input given as a string or bytes; undefined if the bytes are not PEM (DER). */
export function pemText(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input;
  // Look for the armour in the first bytes; DER starts with 0x30.
  if (input.length > 0 && input[0] === 0x30) return undefined;
  return decoder.decode(input);
}

/**
 * Certificates from one input (a PEM string/bytes holding a leaf or a whole
 * chain, or one DER certificate). Throws when nothing usable is found.
 */
export function certificatesFrom(input: string | Uint8Array, what: string): Uint8Array[] {
  const text = pemText(input);
  if (text === undefined) return [input as Uint8Array];
  const certs = pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE')
    .map((b) => b.der);
  if (certs.length === 0) throw new Error(`${what}: no PEM CERTIFICATE block found`);
  return certs;
}
