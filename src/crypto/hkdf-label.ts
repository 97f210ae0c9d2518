/**
 * HKDF-Expand-Label, RFC 8446 §7.1: the one derivation both the key schedule
 * (src/handshake/key-schedule.ts) and the record layer's traffic keys (§7.3,
 * src/record/protection.ts) use, so it sits below both.
 */
import { TlsError } from '../errors.js';
import { utf8 } from '../util/bytes.js';
import type { CryptoProvider, HashAlgorithm } from './provider.js';

/**
 * `opaque label<7..255> = "tls13 " + Label` with its length byte, per label
 * (bounded: exporter labels come from callers). An empty exporter label gives
 * the 6-byte "tls13 ", one short of the struct's minimum: RFC 8446 §7.5 and
 * RFC 5705 allow the empty label and OpenSSL and BoringSSL derive it this way,
 * so 6 is accepted.
 */
const encodedLabels = new Map<string, Uint8Array>();
const MAX_ENCODED_LABELS = 64;

function encodedLabel(label: string): Uint8Array {
  let l = encodedLabels.get(label);
  if (!l) {
    const body = utf8(`tls13 ${label}`);
    if (body.length < 6 || body.length > 255) throw new TlsError('internal_error', `encoding: HkdfLabel label length ${body.length} outside <6..255>`);
    l = new Uint8Array(1 + body.length);
    l[0] = body.length;
    l.set(body, 1);
    if (encodedLabels.size < MAX_ENCODED_LABELS) encodedLabels.set(label, l);
  }
  return l;
}

/** HKDF-Expand-Label, RFC 8446 §7.1: info = HkdfLabel { uint16 length; opaque label<7..255>; opaque context<0..255> }. */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const l = encodedLabel(label);
  if (context.length > 255) throw new TlsError('internal_error', `encoding: HkdfLabel context length ${context.length} outside <0..255>`);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new TlsError('internal_error', `encoding: HkdfLabel length ${length}`);
  const info = new Uint8Array(2 + l.length + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info.set(l, 2);
  info[2 + l.length] = context.length;
  info.set(context, 3 + l.length);
  return provider.hkdfExpand(hash, secret, info, length);
}

