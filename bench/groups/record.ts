/**
 * record.seal.<suite>.<provider> / record.open.<suite>.<provider>: MB/s of
 * 16 KiB records through src/record (RecordWriter / RecordReader), against
 * the bare AEAD call of the same provider on the same data in the same run
 * (for an async provider, the bare calls with 64 operations in flight, as
 * the record layer keeps 64 in flight).
 */
import type { AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { ALL_CIPHER_SUITES, type CipherSuite } from '../../src/crypto/cipher-suites.js';
import { ContentType, recordHeader, RecordProtection, RecordReader, RecordWriter } from '../../src/record/index.js';
import { concatBytes, isPromise } from '../../src/util/bytes.js';
import { median, result, throughput, type BenchContext, type BenchGroup, type BenchResult } from '../harness.js';

const RECORD = 16384;
/** Records per call: 64 (1 MiB) for async AEADs (64 in flight), 8 for sync ones (finer timing). */
const ASYNC_BATCH = 64;
const SYNC_BATCH = 8;
const UNIT = 'MB/s';

const providers: CryptoProvider[] = [pureProvider, webCryptoProvider, nodeProvider];

let sink: unknown;

async function importKey(p: CryptoProvider, suite: CipherSuite): Promise<AeadKey> {
  const key = new Uint8Array(suite.keyLength).map((_, i) => i * 7 + 1);
  return await p.aead(suite.aead).importKey(key);
}

const IV = new Uint8Array(12).map((_, i) => 0x30 + i);

/**
 * A RecordProtection owns its key and IV and wipes them when it is replaced
 * (RFC 8446 §7.2); the bench reuses one key across many protections, so each
 * gets its own IV copy and a view of the key that does not destroy it.
 */
function protection(key: AeadKey): RecordProtection {
  const borrowed: AeadKey = {
    seal: key.seal.bind(key),
    open: key.open.bind(key),
    ...(key.sealChunks ? { sealChunks: key.sealChunks.bind(key) } : {}),
    ...(key.copiesInput !== undefined ? { copiesInput: key.copiesInput } : {}),
  };
  return new RecordProtection(borrowed, IV.slice());
}

function nonceFor(seq: number): Uint8Array {
  const n = IV.slice();
  n[8]! ^= (seq >>> 24) & 0xff;
  n[9]! ^= (seq >>> 16) & 0xff;
  n[10]! ^= (seq >>> 8) & 0xff;
  n[11]! ^= seq & 0xff;
  return n;
}

/**
 * BATCH bare AEAD calls over the same 16 KiB slices: sequentially if sync,
 * all in flight if async. The provider's fastest bare call: `sealChunks`
 * (no output join) where it has one, as the record layer uses it.
 */
function bareSeal(key: AeadKey, data: Uint8Array): () => unknown {
  const BATCH = data.length / RECORD;
  const nonce = nonceFor(1);
  const aad = recordHeader(ContentType.application_data, RECORD + 1 + 16);
  const seal = key.sealChunks ? key.sealChunks.bind(key) : key.seal.bind(key);
  return () => {
    let pending: Promise<unknown>[] | undefined;
    for (let i = 0; i < BATCH; i++) {
      const r = seal(nonce, aad, data.subarray(i * RECORD, (i + 1) * RECORD));
      if (isPromise(r)) (pending ??= []).push(r);
      else sink = r;
    }
    return pending ? Promise.all(pending) : undefined;
  };
}

async function sealedRecords(key: AeadKey, data: Uint8Array): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const w = new RecordWriter({ emit: (c) => out.push(...c) });
  w.setProtection(protection(key));
  await w.write(ContentType.application_data, data);
  return concatBytes(...out);
}

function bareOpen(key: AeadKey, wire: Uint8Array): () => unknown {
  const recs: { nonce: Uint8Array; header: Uint8Array; body: Uint8Array }[] = [];
  for (let off = 0, seq = 0; off < wire.length; seq++) {
    const len = (wire[off + 3]! << 8) | wire[off + 4]!;
    recs.push({ nonce: nonceFor(seq), header: wire.subarray(off, off + 5), body: wire.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return () => {
    let pending: Promise<Uint8Array | null>[] | undefined;
    for (const r of recs) {
      const x = key.open(r.nonce, r.header, r.body);
      if (isPromise(x)) (pending ??= []).push(x);
      else if (x === null) throw new Error('bench: open failed');
      else sink = x;
    }
    return pending ? Promise.all(pending) : undefined;
  };
}

function recordSeal(key: AeadKey, data: Uint8Array): () => unknown {
  const w = new RecordWriter({ emit: (c) => (sink = c) });
  w.setProtection(protection(key));
  return () => w.write(ContentType.application_data, data);
}

function recordOpen(key: AeadKey, wire: Uint8Array): () => unknown {
  const reader = new RecordReader();
  const drain = async (first: Promise<unknown>): Promise<void> => {
    await first;
    for (;;) {
      let r = reader.read();
      if (isPromise(r)) r = await r;
      if (!r) return;
      sink = r;
    }
  };
  return () => {
    reader.setProtection(protection(key));
    reader.push(wire);
    for (;;) {
      const r = reader.read();
      if (isPromise(r)) return drain(r);
      if (!r) return undefined;
      sink = r;
    }
  };
}

/**
 * Subject against baseline, interleaved call by call: each round runs the
 * two alternately (ABAB…, the side that starts alternating) for about
 * 2 × `ms`, timing every call, and yields one ratio of the two rates; the
 * result is the median over rounds. The machine is shared (load from other
 * processes comes and goes within tens of milliseconds), and the harness's
 * `compare` (one block of each side per round) let a burst land on one side
 * only: with its quick settings the same code compared with itself gave
 * ratios from 0.91 to 1.18 over 8 runs. Both sides first run for a while
 * unmeasured: a RecordWriter/Reader made for the row starts cold (its first
 * sample measured 0.3–0.6 of its steady rate while the bare call, a few
 * lines, was already at speed).
 */
async function warmCompare(
  subject: () => unknown,
  baseline: () => unknown,
  bytes: number,
  opts: { rounds: number; ms: number },
): Promise<{ value: number; baselineValue: number; ratio: number }> {
  await throughput(subject, bytes, opts.ms * 2);
  await throughput(baseline, bytes, opts.ms * 2);
  const values: number[] = [];
  const baselineValues: number[] = [];
  const ratios: number[] = [];
  const sides = [subject, baseline];
  for (let round = 0; round < opts.rounds; round++) {
    const time = [0, 0];
    const calls = [0, 0];
    let first = round % 2;
    const start = performance.now();
    do {
      for (const side of [first, 1 - first]) {
        const t0 = performance.now();
        await sides[side]!();
        time[side]! += performance.now() - t0;
        calls[side]!++;
      }
      first = 1 - first;
    } while (performance.now() - start < 2 * opts.ms);
    const value = (calls[0]! * bytes) / (time[0]! / 1000) / 1e6;
    const baselineValue = (calls[1]! * bytes) / (time[1]! / 1000) / 1e6;
    values.push(value);
    baselineValues.push(baselineValue);
    ratios.push(value / baselineValue);
  }
  return { value: median(values), baselineValue: median(baselineValues), ratio: median(ratios) };
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  // Many short interleaved rounds: the median of 20 steadies the ratio more than 10 of twice the length.
  const opts = ctx.quick ? { rounds: 20, ms: 30 } : { rounds: 60, ms: 75 };
  const results: BenchResult[] = [];
  const bareSealValue = new Map<string, number>();
  for (const suite of ALL_CIPHER_SUITES) {
    for (const p of providers) {
      const sealName = `record.seal.${suite.shortName}.${p.name}`;
      const openName = `record.open.${suite.shortName}.${p.name}`;
      const extra = suite.shortName === 'aes128gcm' && p.name === 'webcrypto' && ctx.wants(sealName);
      if (!ctx.wants(sealName) && !ctx.wants(openName) && !(suite.shortName === 'aes128gcm' && p.name === 'node' && ctx.wants('record.seal.aes128gcm.webcrypto'))) continue;
      const key = await importKey(p, suite);
      const data = new Uint8Array((isAsync(key) ? ASYNC_BATCH : SYNC_BATCH) * RECORD).map((_, i) => (i * 31) & 0xff);
      const bytes = data.length;
      if (ctx.wants(sealName) || extra || p.name === 'node') {
        const m = await warmCompare(recordSeal(key, data), bareSeal(key, data), bytes, opts);
        bareSealValue.set(`${suite.shortName}.${p.name}`, m.baselineValue);
        if (ctx.wants(sealName)) {
          results.push(result(sealName, UNIT, m.value, `aead.seal.${suite.shortName}.${p.name} (bare${isAsync(key) ? ', 64 in flight' : ''})`, m.baselineValue, m.ratio));
          ctx.log(`${sealName}: ${m.value.toFixed(1)} ${UNIT}, ratio ${m.ratio.toFixed(3)}`);
        }
      }
      if (ctx.wants(openName)) {
        const wire = await sealedRecords(key, data);
        const m = await warmCompare(recordOpen(key, wire), bareOpen(key, wire), bytes, opts);
        results.push(result(openName, UNIT, m.value, `aead.open.${suite.shortName}.${p.name} (bare${isAsync(key) ? ', 64 in flight' : ''})`, m.baselineValue, m.ratio));
        ctx.log(`${openName}: ${m.value.toFixed(1)} ${UNIT}, ratio ${m.ratio.toFixed(3)}`);
      }
    }
  }
  // record.seal.aes128gcm.webcrypto.vs-node: the same figure against node:crypto's bare AES-128-GCM, same run.
  const web = results.find((r) => r.name === 'record.seal.aes128gcm.webcrypto');
  const nodeBare = bareSealValue.get('aes128gcm.node');
  if (web && nodeBare) results.push(result(`${web.name}.vs-node`, UNIT, web.value, 'aead.seal.aes128gcm.node (bare node:crypto)', nodeBare));
  return results;
}

function isAsync(key: AeadKey): boolean {
  const r = key.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(0));
  if (isPromise(r)) {
    r.catch(() => undefined);
    return true;
  }
  return false;
}

export const groups: BenchGroup[] = [{ name: 'record', run }];
void sink;
