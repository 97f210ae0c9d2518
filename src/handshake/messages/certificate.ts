/**
 * Certificate, RFC 8446 §4.4.2:
 *   struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry;
 *   struct { opaque certificate_request_context<0..2^8-1>;
 *            CertificateEntry certificate_list<0..2^24-1>; } Certificate;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';

export interface CertificateEntry {
  readonly data: Uint8Array;
  readonly extensions: readonly Extension[];
}

export interface Certificate {
  readonly type: 'certificate';
  readonly context: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

export function decodeCertificate(r: Reader): Certificate {
  const context = r.vec8(0, 0xff, 'certificate_request_context');
  const entries = r.block(3, 0, 0xffffff, 'certificate_list', (l) => {
    const out: CertificateEntry[] = [];
    // No count limit: the handshake message size limit bounds the input, and path
    // building bounds the work by cost (src/x509/verify-budget.ts). Real PKIs send
    // chains of more than 32 certificates.
    while (l.remaining > 0) {
      out.push({ data: l.vec24(1, 0xffffff, 'cert_data'), extensions: readExtensions(l, 0) });
    }
    return out;
  });
  return { type: 'certificate', context, entries };
}

export function encodeCertificate(w: Writer, m: Certificate): void {
  w.vec8(m.context, 0, 0xff);
  w.block(3, (w) => {
    for (const e of m.entries) {
      w.vec24(e.data, 1, 0xffffff);
      writeExtensions(w, e.extensions);
    }
  });
}

export function describeCertificate(m: Certificate): string {
  if (m.entries.length === 0) return '0 certificates (empty)';
  return `${m.entries.length} certificate(s) [${m.entries.map((e) => e.data.length).join(',')} bytes]`;
}
