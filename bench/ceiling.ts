/**
 * bulk.ceiling.aes128gcm.node: the one-thread ceiling node:crypto allows for
 * TLS bulk transfer. Each 16 KiB record is sealed and then opened with a fresh
 * AES-128-GCM cipher object (Node 20's API cannot re-IV one), with the
 * record's 5-byte header as AAD and the content-type byte appended, as a TLS
 * 1.3 record needs; nothing else (no framing, no streams, no TCP). What a
 * TLS stack on node:crypto moves per second can approach this, never pass it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const RECORD = 16384;

let sink: unknown;

/** MB/s of application data sealed and opened record by record, for about `ms` milliseconds. */
export function ceilingAes128Gcm(ms: number): number {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const plain = Buffer.alloc(RECORD + 1, 0x5a);
  plain[RECORD] = 23; // TLSInnerPlaintext content type (RFC 8446 §5.2)
  const aad = Buffer.from([23, 3, 3, (RECORD + 17) >> 8, (RECORD + 17) & 0xff]);
  let seq = 0;
  let records = 0;
  const start = performance.now();
  let now = start;
  do {
    for (let i = 0; i < 16; i++) {
      iv.writeUInt32BE(seq++ >>> 0, 8); // per-record nonce (RFC 8446 §5.3)
      const c = createCipheriv('aes-128-gcm', key, iv);
      c.setAAD(aad);
      const body = c.update(plain);
      c.final();
      const tag = c.getAuthTag();
      const d = createDecipheriv('aes-128-gcm', key, iv);
      d.setAAD(aad);
      d.setAuthTag(tag);
      sink = d.update(body);
      d.final();
      records++;
    }
    now = performance.now();
  } while (now - start < ms);
  return (records * RECORD) / ((now - start) / 1000) / 1e6;
}

void sink;
