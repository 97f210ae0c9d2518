/**
 * Finite-field Diffie-Hellman groups ffdhe2048/3072/4096 (RFC 7919), for TLS
 * 1.3 key exchange (RFC 8446 §4.2.8.1): shares are g^x mod p left-padded to
 * the size of p; a peer's Y must satisfy 1 < Y < p - 1 (else
 * illegal_parameter); the shared secret is Z = Y^x mod p, left-padded to the
 * size of p. Generator 2. Primes from RFC 7919 Appendix A (as OpenSSL 3.0
 * prints them for its named groups; test/crypto/ffdhe.test.ts checks them
 * against `openssl genpkey -genparam -pkeyopt group:ffdheN`).
 *
 * The private exponent is drawn from the connection's random source with
 * twice the group's security strength in bits (RFC 7919 §5.2: 225, 275, 325
 * bits at least; we use 256, 320, 400). BigInt exponentiation is not constant
 * time: the exponent is ephemeral (used for one exchange), but prefer the
 * elliptic-curve groups where timing matters; ffdhe is offered only when
 * configured.
 */
import type { ClientKeyShare, KeyExchangeGroup, RandomSource } from './provider.js';
import { secureRandomBytes } from './random.js';
import { checkShareLength, illegalShare, GROUP_CODEPOINTS } from './group-rules.js';

export type FfdheName = 'ffdhe2048' | 'ffdhe3072' | 'ffdhe4096';

const PRIMES: Record<FfdheName, string> = {
  ffdhe2048:
  'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9' +
  '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935' +
  '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB' +
  'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61' +
  '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA' +
  '886B423861285C97FFFFFFFFFFFFFFFF',
  ffdhe3072:
  'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9' +
  '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935' +
  '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB' +
  'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61' +
  '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA' +
  '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C' +
  'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D' +
  'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF',
  ffdhe4096:
  'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9' +
  '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935' +
  '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB' +
  'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61' +
  '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA' +
  '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C' +
  'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D' +
  'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB' +
  '7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832' +
  'A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF' +
  '8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E655F6AFFFFFFFFFFFFFFFF',
};

/** Private exponent bytes: 2 x the security strength (103, 125, 150 bits per RFC 7919 §5.2), rounded up. */
const EXPONENT_BYTES: Record<FfdheName, number> = { ffdhe2048: 32, ffdhe3072: 40, ffdhe4096: 50 };

function toBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < b.length; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

function toBytes(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  while (exp > 0n) {
    if (exp & 1n) r = (r * b) % m;
    b = (b * b) % m;
    exp >>= 1n;
  }
  return r;
}

export function ffdheGroup(name: FfdheName): KeyExchangeGroup {
  const p = BigInt('0x' + PRIMES[name]);
  const size = PRIMES[name].length / 2;
  const peerValue = (share: Uint8Array): bigint => {
    checkShareLength(name, share, size);
    const y = toBig(share);
    // RFC 8446 §4.2.8.1: "peers MUST validate each other's public key Y by ensuring that 1 < Y < p-1".
    if (y <= 1n || y >= p - 1n) throw illegalShare(name, 'Y is not in 1 < Y < p - 1');
    return y;
  };
  const ephemeral = (random: RandomSource | undefined): { x: bigint; publicKey: Uint8Array } => {
    const r = (random ?? secureRandomBytes)(EXPONENT_BYTES[name]);
    r[0] = r[0]! | 0x80; // full length: never a tiny exponent
    const x = toBig(r);
    return { x, publicKey: toBytes(modPow(2n, x, p), size) };
  };
  const agree = (x: bigint, y: bigint): Uint8Array => {
    const z = modPow(y, x, p);
    if (z <= 1n || z >= p - 1n) throw illegalShare(name, 'shared secret is degenerate');
    return toBytes(z, size); // left-padded to the size of p (§7.4.1)
  };
  return {
    name,
    codepoint: GROUP_CODEPOINTS[name],
    generate(random?: RandomSource): ClientKeyShare {
      const own = ephemeral(random);
      return { publicKey: own.publicKey, complete: (serverShare) => agree(own.x, peerValue(serverShare)) };
    },
    respond(clientShare, random?) {
      const y = peerValue(clientShare);
      const own = ephemeral(random);
      return { publicKey: own.publicKey, sharedSecret: agree(own.x, y) };
    },
  };
}

/** The primes as hex, for tests. */
export const FFDHE_PRIMES: Readonly<Record<FfdheName, string>> = PRIMES;
