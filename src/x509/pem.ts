/** PEM (RFC 7468) encoding and decoding, with our own strict base64. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function base64Encode(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Decode base64, ignoring whitespace; throws on any other non-alphabet character. */
export function base64Decode(text: string): Uint8Array {
  const s = text.replace(/[\s]+/g, '');
  let end = s.length;
  let pad = 0;
  while (end > 0 && s[end - 1] === '=' && pad < 2) {
    end--;
    pad++;
  }
  if ((end + pad) % 4 !== 0 && pad > 0) throw new Error('invalid base64 padding');
  if (end % 4 === 1) throw new Error('invalid base64 length');
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) throw new Error('invalid base64 character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

const BEGIN_RE = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const END_RE = /-----END ([A-Z0-9 ]+)-----/g;

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/**
 * All PEM blocks in `text`, with their labels: each `-----BEGIN L-----` up to
 * the first `-----END L-----` after it (what OpenSSL's line reader finds).
 * Linear in the input: the END markers are indexed once, so a text full of
 * unterminated BEGIN lines cannot make the search quadratic.
 */
export function pemBlocks(text: string): PemBlock[] {
  const ends = new Map<string, { at: number[]; next: number }>();
  const end = new RegExp(END_RE.source, 'g');
  for (let m = end.exec(text); m; m = end.exec(text)) {
    let e = ends.get(m[1]!);
    if (!e) ends.set(m[1]!, (e = { at: [], next: 0 }));
    e.at.push(m.index);
    end.lastIndex = m.index + 1; // markers may overlap ("-----END A-----END A-----")
  }
  const out: PemBlock[] = [];
  const begin = new RegExp(BEGIN_RE.source, 'g');
  for (let m = begin.exec(text); m; m = begin.exec(text)) {
    const label = m[1]!;
    const bodyStart = m.index + m[0].length;
    const e = ends.get(label);
    // END positions only move forward with `bodyStart`: one cursor per label.
    while (e && e.next < e.at.length && e.at[e.next]! < bodyStart) e.next++;
    if (!e || e.next >= e.at.length) {
      begin.lastIndex = m.index + 1;
      continue;
    }
    const endAt = e.at[e.next]!;
    let body = text.slice(bodyStart, endAt);
    // RFC 1421 headers (Proc-Type etc.) mean encryption, which we do not support.
    if (/^[\s]*[A-Za-z-]+:/.test(body)) throw new Error(`PEM ${label}: encrypted or headered PEM is not supported`);
    body = body.trim();
    out.push({ label, der: base64Decode(body) });
    begin.lastIndex = endAt + `-----END ${label}-----`.length;
  }
  return out;
}

/** Decode the PEM blocks of `text` (only those labelled `label` when given). */
export function pemDecode(text: string, label?: string): Uint8Array[] {
  return pemBlocks(text)
    .filter((b) => label === undefined || b.label === label)
    .map((b) => b.der);
}

/** Encode DER as PEM with 64-column lines (RFC 7468 §2). */
export function pemEncode(der: Uint8Array, label: string): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
