#!/usr/bin/env python3
"""
Known-answer vectors for the draft-ietf-tls-ecdhe-mlkem hybrids, computed with
pyca/cryptography (OpenSSL's ML-KEM, ECDH and X25519), independently of the
@noble code puretls runs. Writes kat.json next to this file.

Inputs are fixed byte strings (SHA-256 of a label, repeated), drawn in the
order puretls draws from an injected RandomSource: the client takes the ML-KEM
KeyGen seed (d || z, 64 bytes) then its classical private key; the server takes
ML-KEM.Encaps's m (32 bytes) then its classical private key.

- client role (fully independent): client share = OpenSSL's encapsulation key
  from the seed and the EC/X25519 public key from the scalar; the server share
  uses an OpenSSL encapsulation (random m) and the shared secret is OpenSSL's.
- server role: ML-KEM.Encaps with a given m is not exposed by OpenSSL, so the
  ciphertext comes from @noble (run through node, `node_modules` of the repo);
  the expected shared secret is OpenSSL's decapsulation of that ciphertext
  with the client's key, so a wrong encapsulation cannot match (FIPS 203
  implicit rejection gives an unrelated secret).

Order per group (draft §3): X25519MLKEM768 ML-KEM first; SecP256r1MLKEM768 and
SecP384r1MLKEM1024 ECDHE first, in the shares and in the shared secret.
"""
import hashlib, json, os, subprocess
from cryptography.hazmat.primitives.asymmetric import ec, x25519, mlkem
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))

def fixed(label, n):
    out = b''
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f'{label}/{i}'.encode()).digest()
        i += 1
    return out[:n]

GROUPS = {
    'X25519MLKEM768': dict(code=0x11EC, kem='768', curve=None, size=32, kem_first=True),
    'SecP256r1MLKEM768': dict(code=0x11EB, kem='768', curve=ec.SECP256R1(), size=32, kem_first=False),
    'SecP384r1MLKEM1024': dict(code=0x11ED, kem='1024', curve=ec.SECP384R1(), size=48, kem_first=False),
}

def classical_from(g, sk):
    if g['curve'] is None:
        priv = x25519.X25519PrivateKey.from_private_bytes(sk)
        return priv, priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    priv = ec.derive_private_key(int.from_bytes(sk, 'big'), g['curve'])
    return priv, priv.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

def classical_agree(g, priv, peer):
    if g['curve'] is None:
        return priv.exchange(x25519.X25519PublicKey.from_public_bytes(peer))
    return priv.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(g['curve'], peer))

def join(g, classical, kem):
    return kem + classical if g['kem_first'] else classical + kem

def noble_encaps(kem, ek, m):
    js = ("import('@noble/post-quantum/ml-kem.js').then(({ml_kem%s}) => {"
          "const r = ml_kem%s.encapsulate(Buffer.from(process.argv[1], 'hex'), Buffer.from(process.argv[2], 'hex'));"
          "console.log(Buffer.from(r.cipherText).toString('hex'), Buffer.from(r.sharedSecret).toString('hex')); })") % (kem, kem)
    out = subprocess.check_output(['node', '-e', js, ek.hex(), m.hex()], cwd=ROOT).decode().split()
    return bytes.fromhex(out[0]), bytes.fromhex(out[1])

vectors = []
for name, g in GROUPS.items():
    Priv = mlkem.MLKEM768PrivateKey if g['kem'] == '768' else mlkem.MLKEM1024PrivateKey
    for n in range(2):
        seed = fixed(f'{name} client seed {n}', 64)
        csk = fixed(f'{name} client key {n}', g['size'])
        m = fixed(f'{name} server m {n}', 32)
        ssk = fixed(f'{name} server key {n}', g['size'])
        dk = Priv.from_seed_bytes(seed)
        ek = dk.public_key().public_bytes_raw()
        cpriv, cpub = classical_from(g, csk)
        client_share = join(g, cpub, ek)
        spriv, spub = classical_from(g, ssk)
        # client role: an OpenSSL encapsulation
        k, ct = dk.public_key().encapsulate()  # (shared_secret, ciphertext)
        ss = join(g, classical_agree(g, cpriv, spub), k)
        # server role: @noble's encapsulation with m, checked by OpenSSL's decapsulation
        nct, nk = noble_encaps(g['kem'], ek, m)
        k2 = dk.decapsulate(nct)
        assert k2 == nk, f'{name}: @noble and OpenSSL disagree on ML-KEM'
        vectors.append({
            'group': name, 'codepoint': g['code'],
            'clientSeed': seed.hex(), 'clientPrivate': csk.hex(), 'clientShare': client_share.hex(),
            'clientRole': {'serverShare': join(g, spub, ct).hex(), 'sharedSecret': ss.hex()},
            'serverM': m.hex(), 'serverPrivate': ssk.hex(),
            'serverRole': {'serverShare': join(g, spub, nct).hex(), 'sharedSecret': join(g, classical_agree(g, spriv, cpub), k2).hex()},
        })

with open(os.path.join(HERE, 'kat.json'), 'w') as f:
    json.dump({'source': 'test/vectors/ecdhe-mlkem/generate.py (pyca/cryptography 48 with OpenSSL 4.0: ML-KEM, ECDH, X25519)', 'vectors': vectors}, f, indent=1)
    f.write('\n')
print(len(vectors), 'vectors')
