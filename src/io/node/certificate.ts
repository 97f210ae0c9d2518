/** Certificates shown the way Node's tls shows them (getPeerCertificate()). */
import { createHash, X509Certificate } from 'node:crypto';
import { parseCertificate } from '../../x509/index.js';

/** A certificate as Node's getPeerCertificate() shows it (plus puretls's summary fields). */
export interface PeerCertificate {
  [key: string]: unknown;
  raw: Buffer;
  fingerprint256: string;
  /** Distinguished names as Node shows them ({ CN: 'example.com', O: … }); absent when Node cannot parse the certificate. */
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  /** 'DNS:example.com, IP Address:127.0.0.1', as Node's. */
  subjectaltname?: string;
  valid_from?: string;
  valid_to?: string;
  serialNumber?: string;
  ca?: boolean;
  issuerCertificate?: PeerCertificate;
}

function nameObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Node-style view of one certificate (subject/issuer objects, valid_from,
 * valid_to, subjectaltname, serialNumber, fingerprint256, raw), plus
 * puretls's own `summary` (src/x509 parseCertificate).
 */
export function describeCertificate(der: Uint8Array): PeerCertificate {
  const raw = Buffer.from(der);
  const fingerprint256 = createHash('sha256').update(raw).digest('hex').toUpperCase().match(/../g)!.join(':');
  const view: PeerCertificate = { raw, fingerprint256 };
  try {
    const x = new X509Certificate(raw);
    Object.assign(view, {
      subject: nameObject(x.subject),
      issuer: nameObject(x.issuer),
      subjectaltname: x.subjectAltName,
      valid_from: x.validFrom,
      valid_to: x.validTo,
      serialNumber: x.serialNumber,
      ca: x.ca,
    });
  } catch {
    /* Node cannot parse it; the summary below may */
  }
  try {
    view.summary = parseCertificate(der);
  } catch (e) {
    view.summary = undefined;
    view.parseError = (e as Error).message;
  }
  return view;
}

/**
 * The leaf of `chain` in Node's shape; with `detailed`, issuerCertificate
 * links each certificate to the next one sent (as getPeerCertificate(true)).
 * `{}` for an empty chain.
 */
export function peerCertificateOf(chain: readonly Uint8Array[], detailed: boolean): PeerCertificate | Record<string, never> {
  if (chain.length === 0) return {};
  const views = chain.map(describeCertificate);
  if (detailed) for (let i = 0; i + 1 < views.length; i++) views[i]!.issuerCertificate = views[i + 1]!;
  return views[0]!;
}
