/**
 * Certificate compression, RFC 8879, both roles: compress_certificate in
 * ClientHello and CertificateRequest, CompressedCertificate in place of
 * Certificate (server and client certificates), each algorithm, the
 * receiver's limits and alerts.
 */
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, constants, deflateSync } from 'node:zlib';
import { nodeBrotli, nodeZlib } from '../../src/io/node/compression.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { brotli, certificateCompressors, zlib, zstd } from '../../src/compression/index.js';
import type { CertificateCompressor } from '../../src/handshake/compression.js';
import { boundZstdFrames, MAX_BLOCKS } from '../../src/compression/zstd-frames.js';
import { decodeCompressCertificate, encodeCompressCertificate } from '../../src/handshake/extensions/compress-certificate.js';
import { decodeHandshake, encodeHandshake, type HandshakeMessage } from '../../src/handshake/messages/index.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { makeClient, makeServer, pump, type Endpoint } from '../connection/helpers.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

/** zstd can only decompress here; the zstd CLI (Debian package zstd) compresses for the tests. */
const zstdWithCli: CertificateCompressor = { ...zstd, compress: (d) => new Uint8Array(execFileSync('zstd', ['-q', '-c', '-19'], { input: d })) };

/** Handshake messages an endpoint sent, by type name, from its onHandshakeMessage trace. */
function traced(): { types: string[]; hook: ClientConfig['onHandshakeMessage'] } {
  const types: string[] = [];
  return { types, hook: (dir, type) => { if (dir === 'sent') types.push(type); } };
}

async function pair(client: ClientConfig, server: Omit<ServerConfig, 'certificate'>): Promise<{ c: Endpoint; s: Endpoint }> {
  const c = makeClient({ servername: 'localhost', ca: [P.caPem], ...client });
  const s = makeServer({ certificate: P.server.rsa2048, ...server });
  c.conn.start();
  await pump(c, s);
  return { c, s };
}

/** brotli decompresses only in puretls/compression (pure JS); node:zlib compresses for the tests, as the Node entry's codec does. */
const brotliWithNode: CertificateCompressor = { ...brotli, compress: (d) => new Uint8Array(brotliCompressSync(d)) };

const ALGOS: [string, CertificateCompressor][] = [
  ['zlib', zlib], ['brotli', brotliWithNode], ['zstd', zstdWithCli],
  // The Node entry's codecs (node:zlib).
  ['zlib (node:zlib)', nodeZlib], ['brotli (node:zlib)', nodeBrotli],
];

describe('certificate compression between puretls endpoints', () => {
  for (const [name, codec] of ALGOS) {
    it(`${name}: the server's certificate travels compressed and verifies`, async () => {
      const st = traced();
      const { c, s } = await pair({ certificateCompression: [codec] }, { certificateCompression: [codec], onHandshakeMessage: st.hook });
      expect(c.errors).toEqual([]);
      expect(c.conn.state).toBe('connected');
      expect(st.types).toContain('compressed_certificate');
      expect(st.types).not.toContain('certificate');
      expect(c.info!.peerCertificates[0]).toEqual(P.server.rsa2048.chain[0]);
      expect(s.errors).toEqual([]);
    });

    it(`${name}: the client's certificate travels compressed (CertificateRequest offers it) and verifies`, async () => {
      const ct = traced();
      const { c, s } = await pair(
        { certificateCompression: [codec], certificate: P.client, onHandshakeMessage: ct.hook },
        { certificateCompression: [codec], clientAuth: 'require', ca: [P.caPem] },
      );
      expect(s.errors).toEqual([]);
      expect(ct.types).toContain('compressed_certificate');
      expect(s.info!.peerCertificates[0]).toEqual(P.client.chain[0]);
      expect(s.info!.peerVerified).toBe(true);
    });
  }

  it('the Node entry (node:zlib) and puretls/compression (fflate, the pure-JS brotli decoder) understand each other', async () => {
    for (const [sender, receiver] of [[nodeZlib, zlib], [zlib, nodeZlib], [nodeBrotli, brotli]] as const) {
      const st = traced();
      const { c } = await pair({ certificateCompression: [receiver] }, { certificateCompression: [sender], onHandshakeMessage: st.hook });
      expect(c.errors).toEqual([]);
      expect(st.types).toContain('compressed_certificate');
      expect(c.info!.peerCertificates[0]).toEqual(P.server.rsa2048.chain[0]);
    }
  });

  it('without a common algorithm the plain Certificate is sent; the first of ours the peer offers is used', async () => {
    const st = traced();
    await pair({ certificateCompression: [zstd] }, { certificateCompression: [zlib], onHandshakeMessage: st.hook });
    expect(st.types).toContain('certificate');
    const st2 = traced();
    let algo = -1;
    const { c } = await pair({ certificateCompression: [zstd, zlib, brotli], onHandshakeMessage: (d, t, _s, raw) => { if (d === 'received' && t === 'compressed_certificate') algo = (raw[4]! << 8) | raw[5]!; } },
      { certificateCompression: [brotliWithNode, zlib], onHandshakeMessage: st2.hook });
    expect(c.conn.state).toBe('connected');
    expect(algo).toBe(2);
  });

  it('the server compresses each chain once per algorithm (cache per CertifiedKey)', async () => {
    let calls = 0;
    const counting: CertificateCompressor = { ...zlib, compress: (d) => { calls++; return zlib.compress!(d); } };
    const cert = { ...P.server['ecdsa-p256'] };
    for (let i = 0; i < 3; i++) {
      const { c } = await pair({ certificateCompression: [zlib] }, { certificate: cert, certificateCompression: [counting] } as ServerConfig);
      expect(c.conn.state).toBe('connected');
    }
    expect(calls).toBe(1);
  });

  it('names need the Node entry or puretls/compression: the core refuses a name, naming the fix', () => {
    expect(() => makeClient({ servername: 'localhost', ca: [P.caPem], certificateCompression: ['brotli'] })).toThrow(/puretls\/compression/);
    expect(certificateCompressors(['zlib', 'zstd']).map((k) => k.algorithm)).toEqual([1, 3]);
    expect(() => certificateCompressors(['lz4' as 'zlib'])).toThrow(/unknown algorithm "lz4"/);
  });
});

describe('compress_certificate extension codec (RFC 8879 §3)', () => {
  it('round-trips; an empty list → decode_error; a repeated algorithm → illegal_parameter', () => {
    expect(decodeCompressCertificate(encodeCompressCertificate([2, 1, 3]).data)).toEqual([2, 1, 3]);
    expect(() => decodeCompressCertificate(new Uint8Array([0]))).toThrow(expect.objectContaining({ alert: 'decode_error' }));
    expect(() => decodeCompressCertificate(new Uint8Array([3, 0, 1, 0]))).toThrow(expect.objectContaining({ alert: 'decode_error' }));
    expect(() => decodeCompressCertificate(new Uint8Array([4, 0, 2, 0, 2]))).toThrow(expect.objectContaining({ alert: 'illegal_parameter' }));
  });
});

/** The server rewrites its CompressedCertificate (after its transcript took the original): the client must refuse. */
function serverRewrites(f: (m: Extract<HandshakeMessage, { type: 'compressed_certificate' }>) => HandshakeMessage): ServerConfig {
  return {
    certificate: P.server['ecdsa-p256'],
    certificateCompression: [zlib, brotli],
    __mutateHandshake: (raw: Uint8Array) => {
      const m = decodeHandshake(raw);
      return m.type === 'compressed_certificate' ? encodeHandshake(f(m)) : raw;
    },
  } as ServerConfig;
}

async function clientRefuses(server: ServerConfig, client: Partial<ClientConfig> = {}): Promise<string | undefined> {
  const s = makeServer(server);
  const c = makeClient({ servername: 'localhost', ca: [P.caPem], certificateCompression: [zlib, brotli], ...client });
  c.conn.start();
  await pump(c, s);
  expect(c.conn.state).not.toBe('connected');
  expect(s.errors.map((e) => e.received)).toEqual([true]);
  return c.errors[0]?.alert;
}

describe('client: malformed CompressedCertificate (RFC 8879 §4)', () => {
  it('uncompressed_length larger than the data decompresses to → bad_certificate', async () => {
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, uncompressedLength: m.uncompressedLength + 1 })))).toBe('bad_certificate');
  });
  it('uncompressed_length smaller than the data (decompression stops at it) → bad_certificate', async () => {
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, uncompressedLength: m.uncompressedLength - 1 })))).toBe('bad_certificate');
  });
  it('uncompressed_length beyond our handshake message limit → bad_certificate, nothing decompressed', async () => {
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, uncompressedLength: 0xffffff })))).toBe('bad_certificate');
  });
  for (const [name, bomb] of [
    ['zlib', () => ({ algorithm: 1, data: new Uint8Array(deflateSync(new Uint8Array(50_000_000))) })],
    // A 64 KiB window: hundreds of meta-blocks (the brotli package's own buffer decoder regrows its output for each: minutes of CPU).
    ['brotli', () => ({ algorithm: 2, data: new Uint8Array(brotliCompressSync(new Uint8Array(50_000_000), { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 } })) })],
    ['zstd', () => ({ algorithm: 3, data: new Uint8Array(execFileSync('zstd', ['-q', '-c'], { input: new Uint8Array(50_000_000) })) })],
  ] as const) {
    it(`${name}: a bomb (50 MB of zeros announced as 1000 bytes) stops at the announced length → bad_certificate`, async () => {
      const b = bomb();
      expect(await clientRefuses(serverRewrites((m) => ({ ...m, ...b, uncompressedLength: 1000 })), { certificateCompression: [zlib, brotli, zstd] })).toBe('bad_certificate');
      // The codec itself stops at the limit: it throws (it does not decode the 50 MB and then compare).
      const codecs = { 1: [zlib, nodeZlib], 2: [brotli, nodeBrotli], 3: [zstd] }[b.algorithm]!;
      for (const codec of codecs) expect(() => codec.decompress(b.data, 1000)).toThrow(/exceeds|more than|larger than/);
    });
  }
  it('garbage data → bad_certificate', async () => {
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, data: new Uint8Array(64).fill(0x5a) })))).toBe('bad_certificate');
  });
  it('decompresses to something that is not a Certificate → decode_error', async () => {
    const junk = new Uint8Array(40).fill(7);
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, algorithm: 1, uncompressedLength: junk.length, data: zlib.compress!(junk) as Uint8Array })))).toBe('decode_error');
  });
  it('an algorithm we did not offer → illegal_parameter', async () => {
    expect(await clientRefuses(serverRewrites((m) => ({ ...m, algorithm: 3 })))).toBe('illegal_parameter');
  });
  it('a CompressedCertificate when we offered no compression → unexpected_message', async () => {
    // The server compresses only when offered: make it compress by rewriting a plain Certificate.
    const server = { certificate: P.server['ecdsa-p256'], __mutateHandshake: compressAnyway } as ServerConfig;
    expect(await clientRefuses(server, { certificateCompression: false })).toBe('unexpected_message');
  });
});

/** A plain Certificate rewritten as a zlib CompressedCertificate (the sender was not offered compression). */
function compressAnyway(raw: Uint8Array): Uint8Array {
  const m = decodeHandshake(raw);
  if (m.type !== 'certificate') return raw;
  const body = raw.subarray(4);
  return encodeHandshake({ type: 'compressed_certificate', algorithm: 1, uncompressedLength: body.length, data: zlib.compress!(body) as Uint8Array });
}

/** The client (with `client`'s settings and handshake rewrite) authenticates to a server requiring a certificate; the server's alerts. */
async function serverAlerts(client: Partial<ClientConfig> & { __mutateHandshake: (raw: Uint8Array) => Uint8Array }, server: Partial<ServerConfig>): Promise<string[]> {
  const s = makeServer({ certificate: P.server['ecdsa-p256'], clientAuth: 'require', ca: [P.caPem], ...server });
  const c = makeClient({ servername: 'localhost', ca: [P.caPem], certificate: P.client, ...client } as ClientConfig);
  c.conn.start();
  await pump(c, s);
  return s.errors.map((e) => e.alert!);
}

/** Rewrite the client's CompressedCertificate. */
const rewrite = (f: (m: Extract<HandshakeMessage, { type: 'compressed_certificate' }>) => HandshakeMessage) => (raw: Uint8Array): Uint8Array => {
  const m = decodeHandshake(raw);
  return m.type === 'compressed_certificate' ? encodeHandshake(f(m)) : raw;
};

describe('server: malformed client CompressedCertificate', () => {
  it('an algorithm the CertificateRequest did not offer → illegal_parameter', async () => {
    expect(await serverAlerts({ certificateCompression: [zlib], __mutateHandshake: rewrite((m) => ({ ...m, algorithm: 2 })) }, { certificateCompression: [zlib] }))
      .toEqual(['illegal_parameter']);
  });
  it('a CompressedCertificate when the CertificateRequest offered no compression → unexpected_message', async () => {
    expect(await serverAlerts({ certificateCompression: false, __mutateHandshake: compressAnyway }, {})).toEqual(['unexpected_message']);
  });
  it('uncompressed_length off by one → bad_certificate', async () => {
    expect(await serverAlerts(
      { certificateCompression: [brotliWithNode], __mutateHandshake: rewrite((m) => ({ ...m, uncompressedLength: m.uncompressedLength + 1 })) },
      { certificateCompression: [brotli] },
    )).toEqual(['bad_certificate']);
  });
});

/** A zstd frame (RFC 8878 §3.1.1) built by hand: frame header descriptor, window descriptor, then RLE blocks of `runs` bytes of 'A'. */
function zstdFrame(fhd: number, window: number | undefined, runs: number[], extra: number[] = []): Uint8Array {
  const b = [0x28, 0xb5, 0x2f, 0xfd, fhd, ...(window === undefined ? [] : [window]), ...extra];
  runs.forEach((n, i) => {
    const h = (i === runs.length - 1 ? 1 : 0) | (1 << 1) | (n << 3); // Last_Block, Block_Type RLE, Block_Size
    b.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x41);
  });
  return new Uint8Array(b);
}

describe('zstd: what the frame header declares is bounded before fzstd decodes (RFC 8878 §3.1.1)', () => {
  it('a 1 GB window is lowered to the smallest above the limit (fzstd would allocate and shift 1 GB per block); the output is unchanged', () => {
    const f = zstdFrame(0x00, 20 << 3, [5, 3]); // Window_Descriptor exponent 20: 2^30 bytes
    const checked = boundZstdFrames(f, 1000);
    expect(checked[5]).toBe(0x00); // 1 KiB + 0/8: the smallest window above 1000
    expect(f[5]).toBe(20 << 3); // the peer's bytes are not touched
    expect(new TextDecoder().decode(zstd.decompress(f, 1000))).toBe('AAAAAAAA');
  });
  it('a declared content size beyond the limit is refused before decoding; within it, decoded', () => {
    // FCS_Flag 1 (2 bytes, +256), Single_Segment: content size 256 + 0x0300 = 1024.
    expect(() => boundZstdFrames(zstdFrame(0x60, undefined, [1024], [0x00, 0x03]), 1000)).toThrow(/content size exceeds 1000/);
    expect(zstd.decompress(zstdFrame(0x60, undefined, [300], [0x2c, 0x00]), 1000)).toHaveLength(300);
  });
  it(`more than ${MAX_BLOCKS} blocks, a reserved block type or bit, a dictionary, truncation → refused`, () => {
    expect(() => boundZstdFrames(zstdFrame(0x00, 0, new Array<number>(MAX_BLOCKS + 1).fill(0)), 1000)).toThrow(/blocks/);
    expect(boundZstdFrames(zstdFrame(0x00, 0, new Array<number>(MAX_BLOCKS).fill(0)), 1000)).toBeInstanceOf(Uint8Array);
    const reservedType = zstdFrame(0x00, 0, [1]);
    reservedType[6] = reservedType[6]! | 0x06;
    expect(() => boundZstdFrames(reservedType, 1000)).toThrow(/reserved block type/);
    expect(() => boundZstdFrames(zstdFrame(0x08, 0, [1]), 1000)).toThrow(/reserved frame header bit/);
    expect(() => boundZstdFrames(zstdFrame(0x01, 0, [1], [0x07]), 1000)).toThrow(/dictionary/);
    expect(() => boundZstdFrames(zstdFrame(0x00, 0, [1]).subarray(0, 8), 1000)).toThrow(/truncated/);
    expect(() => zstd.decompress(zstdFrame(0x00, 20 << 3, [1, 2000]), 1000)).toThrow(/exceeds 1000/);
  });
  it('a skippable frame is stepped over', () => {
    const skip = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9];
    expect(zstd.decompress(new Uint8Array([...skip, ...zstdFrame(0x00, 0, [4])]), 1000)).toHaveLength(4);
  });
});

describe('the Node entry maps names', async () => {
  const { nodeClientConfig, nodeServerConfig } = await import('../../src/io/node.js');
  it('default brotli, zlib, zstd; names chosen; false → none; an unknown name refused', () => {
    expect((nodeClientConfig({ host: 'localhost' }).certificateCompression as CertificateCompressor[]).map((k) => k.name)).toEqual(['brotli', 'zlib', 'zstd']);
    expect((nodeClientConfig({ host: 'localhost', certificateCompression: ['zlib'] }).certificateCompression as CertificateCompressor[]).map((k) => k.algorithm)).toEqual([1]);
    expect(nodeServerConfig({ certificateCompression: false, selectCertificate: () => undefined }).certificateCompression).toBe(false);
    expect(() => nodeClientConfig({ host: 'localhost', certificateCompression: ['lzma' as 'zlib'] })).toThrow(/lzma/);
  });
});
