/** First PEM block → DER (tests only), trimmed to its outer SEQUENCE (the RFC 8448 PEM has 2 stray bytes). */
export function fromPem(pem: string): Uint8Array {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  const der = new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  if (der[0] === 0x30 && der[1] === 0x82) return der.subarray(0, 4 + ((der[2]! << 8) | der[3]!));
  return der;
}
