/**
 * Measures what one certificate-signature check costs per algorithm, to set
 * the units of src/x509/verify-budget.ts honestly. For each provider (pure,
 * node:crypto, WebCrypto) and algorithm it times verifications, each with a
 * key the provider has not seen before (as path building meets them), and
 * prints the time relative to a P-256 verification on the same provider and
 * as a fraction of one in-memory handshake with that provider (x25519,
 * P-256 certificate; measured in the same run, interleaved, so the machine's
 * load cancels), relative to the pure provider's P-256 fraction: the
 * definition verify-budget.ts uses (each algorithm costs the largest such
 * fraction over the providers).
 *
 *   npm run build && node dist/bench/signature-costs.js [iterations]
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../src/crypto/provider.js';
import { pureProvider } from '../src/crypto/pure/index.js';
import { webCryptoProvider } from '../src/crypto/webcrypto/index.js';
import { nodeProvider } from '../src/crypto/node-provider.js';
import { parseSpki } from '../src/x509/keys.js';
import { clientConfig, serverConfig } from '../src/io/options.js';
import { inMemoryHandshake } from './handshake.js';
import { benchPki } from './bulk-fixtures.js';

interface Case { readonly name: string; readonly alg: SignatureAlgorithm; make(msg: Uint8Array): { key: PublicKey; sig: Uint8Array } }

const spkiKey = (pub: { export(o: { format: 'der'; type: 'spki' }): Buffer }): PublicKey => parseSpki(new Uint8Array(pub.export({ format: 'der', type: 'spki' })));

function ec(curve: 'P-256' | 'P-384' | 'P-521', hash: 'SHA-256' | 'SHA-384' | 'SHA-512'): Case {
  return {
    name: curve, alg: { kind: 'ecdsa', hash },
    make(msg) {
      const p = generateKeyPairSync('ec', { namedCurve: curve });
      return { key: spkiKey(p.publicKey), sig: new Uint8Array(nodeSign(hash.replace('-', '').toLowerCase(), msg, { key: p.privateKey, dsaEncoding: 'der' })) };
    },
  };
}

function ed(kind: 'ed25519' | 'ed448'): Case {
  return {
    name: kind === 'ed25519' ? 'Ed25519' : 'Ed448', alg: { kind },
    make(msg) {
      const p = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
      return { key: spkiKey(p.publicKey), sig: new Uint8Array(nodeSign(null, msg, p.privateKey)) };
    },
  };
}

function mldsa(level: 44 | 65 | 87): Case {
  const impl = level === 44 ? ml_dsa44 : level === 65 ? ml_dsa65 : ml_dsa87;
  return {
    name: `ML-DSA-${level}`, alg: { kind: 'mldsa', level },
    make(msg) {
      const { publicKey, secretKey } = impl.keygen();
      return { key: { type: 'mldsa', level, key: publicKey }, sig: impl.sign(msg, secretKey) };
    },
  };
}

const CASES: Case[] = [ec('P-256', 'SHA-256'), ec('P-384', 'SHA-384'), ec('P-521', 'SHA-512'), ed('ed25519'), ed('ed448'), mldsa(44), mldsa(65), mldsa(87)];
const PROVIDERS: [string, CryptoProvider][] = [['pure', pureProvider], ['node', nodeProvider], ['webcrypto', webCryptoProvider]];

async function timeOne(p: CryptoProvider, c: Case, n: number): Promise<number> {
  const msg = new Uint8Array(1000).fill(7); // about a tbsCertificate
  const inputs = Array.from({ length: n }, () => c.make(msg));
  await p.verify(c.alg, c.make(msg).key, msg, inputs[0]!.sig); // warm up the code paths, not the keys
  const t0 = performance.now();
  for (const { key, sig } of inputs) if (!(await p.verify(c.alg, key, msg, sig))) throw new Error(`${c.name} did not verify`);
  return (performance.now() - t0) / n;
}

async function handshakeMs(p: CryptoProvider, n: number): Promise<number> {
  const pki = await benchPki();
  const cc = clientConfig({ servername: 'localhost', ca: pki.ca, provider: p, groups: ['x25519'] });
  const sc = serverConfig({ cert: pki.cert, key: pki.key, provider: p, groups: ['x25519'] });
  await inMemoryHandshake(cc, sc);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await inMemoryHandshake(cc, sc);
  return (performance.now() - t0) / n;
}

const n = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 3);
// Rounds interleave handshakes and verifications; each cell is the median over rounds.
const samples: Record<string, Record<string, number[]>> = {};
for (let r = 0; r < rounds; r++) {
  for (const [pname, p] of PROVIDERS) {
    const row = (samples[pname] ??= {});
    (row.handshake ??= []).push(await handshakeMs(p, n));
    for (const c of CASES) (row[c.name] ??= []).push(await timeOne(p, c, n));
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const ms = (p: string, what: string) => median(samples[p]![what]!);
const unit = ms('pure', 'P-256') / ms('pure', 'handshake');
console.log(`handshake ms: ${PROVIDERS.map(([p]) => `${p} ${ms(p, 'handshake').toFixed(2)}`).join(', ')}; pure P-256 verify = ${unit.toFixed(2)} handshake`);
console.log('algorithm   ' + PROVIDERS.map(([p]) => `${p}: ms  ×P-256  units`.padEnd(32)).join('') + 'max units');
for (const c of CASES) {
  let max = 0;
  const cells = PROVIDERS.map(([p]) => {
    const t = ms(p, c.name);
    const u = t / ms(p, 'handshake') / unit;
    max = Math.max(max, u);
    return `${p}: ${t.toFixed(3)}  ${(t / ms(p, 'P-256')).toFixed(2)}  ${u.toFixed(2)}`.padEnd(32);
  });
  console.log(c.name.padEnd(12) + cells.join('') + max.toFixed(2));
}
