import { describe, expect, it } from 'vitest';
import {
  acceptInitialMessage,
  bundleFor,
  encodeBundle,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  initiateSession,
  parseBundle,
  parseInitialMessage,
  rotateSignedPreKeys,
  type PreKeyBundle,
} from '../../../main/core/crypto/index';
import { sign } from '../../../main/core/crypto/identity';
import { pqPreKeyPayload, signedPreKeyPayload } from '../../../main/core/crypto/prekeys';
import { encodeInitialMessage } from '../../../main/core/crypto/wire';
import { expectCryptoError, flip, seededRng, str, text } from './helpers';

const rng = seededRng('setup');
const alice = generateIdentityKeyPair(rng);
const device = generateDeviceKeys(rng, { oneTimePreKeys: 2, oneTimePqPreKeys: 2 });
const [otk1 = 0, otk2 = 0] = [...device.oneTimePreKeys.keys()];
const [pq1 = 0] = [...device.oneTimePqPreKeys.keys()];
const good = bundleFor(device, { oneTimePreKeyId: otk1, pqPreKeyId: pq1 });
const bobKey = device.identity.publicKey;

/** Order-2 and order-8 points of Curve25519 (RFC 7748 / Wycheproof low-order cases). */
const LOW_ORDER_X25519 = [
  new Uint8Array(32),
  Uint8Array.of(1, ...new Uint8Array(31)),
  hex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
  hex('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'),
  hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'),
];
/** Small-order Ed25519 encodings: identity, and a point of order 8. */
const SMALL_ORDER_ED25519 = [
  Uint8Array.of(1, ...new Uint8Array(31)),
  hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
];

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

describe('starting a session from a bundle', () => {
  it('refuses a bundle whose signed prekey signature does not verify', () => {
    const bad: PreKeyBundle = { ...good, signedPreKey: { ...good.signedPreKey, signature: flip(good.signedPreKey.signature, 5) } };
    expectCryptoError(() => initiateSession(alice, bad, bobKey, rng), 'bad_signature');
  });

  it('refuses a bundle whose PQ prekey signature does not verify, or whose PQ key was swapped', () => {
    const badSig: PreKeyBundle = { ...good, pqPreKey: { ...good.pqPreKey, signature: flip(good.pqPreKey.signature, 9) } };
    expectCryptoError(() => initiateSession(alice, badSig, bobKey, rng), 'bad_signature');
    const swapped: PreKeyBundle = { ...good, pqPreKey: { ...good.pqPreKey, publicKey: flip(good.pqPreKey.publicKey, 100) } };
    expectCryptoError(() => initiateSession(alice, swapped, bobKey, rng), 'bad_signature');
  });

  it('refuses a signature made for another key id', () => {
    const moved: PreKeyBundle = { ...good, signedPreKey: { ...good.signedPreKey, id: good.signedPreKey.id + 1 } };
    expectCryptoError(() => initiateSession(alice, moved, bobKey, rng), 'bad_signature');
  });

  it('refuses a malleated signature (S + L): strict verification', () => {
    const sig = good.signedPreKey.signature.slice();
    const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    let carry = 0;
    for (let i = 32; i < 64; i++) {
      const sum = (sig[i] ?? 0) + (L[i - 32] ?? 0) + carry;
      sig[i] = sum & 0xff;
      carry = sum >> 8;
    }
    const bad: PreKeyBundle = { ...good, signedPreKey: { ...good.signedPreKey, signature: sig } };
    expectCryptoError(() => initiateSession(alice, bad, bobKey, rng), 'bad_signature');
  });

  it('refuses a bundle without a PQ prekey, as a value and as bytes', () => {
    const { pqPreKey: _dropped, ...classical } = good;
    expectCryptoError(() => initiateSession(alice, classical as PreKeyBundle, bobKey, rng), 'no_pq_prekey');
    const bytes = encodeBundle(good);
    // Re-encode with a zero-length PQ prekey field: how an X3DH-only bundle would look.
    const pqLengthAt = bytes.length - 64 - 1568 - 2;
    const stripped = new Uint8Array([...bytes.subarray(0, pqLengthAt), 0, 0, ...bytes.subarray(bytes.length - 64)]);
    expectCryptoError(() => parseBundle(stripped), 'no_pq_prekey');
  });

  it('refuses a bundle for an identity other than the expected one', () => {
    const other = generateIdentityKeyPair(rng).publicKey;
    expectCryptoError(() => initiateSession(alice, good, other, rng), 'identity_mismatch');
  });

  it('refuses low-order X25519 prekeys, even when properly signed', () => {
    for (const point of LOW_ORDER_X25519) {
      const withLowOtk: PreKeyBundle = { ...good, oneTimePreKey: { id: 99, publicKey: point } };
      expectCryptoError(() => initiateSession(alice, withLowOtk, bobKey, rng), 'invalid_key');
      // Signed by the real identity, so only the point check can stop it.
      const signature = sign(device.identity, signedPreKeyPayload(7, point));
      const withLowSpk: PreKeyBundle = { ...good, signedPreKey: { id: 7, publicKey: point, signature } };
      expectCryptoError(() => initiateSession(alice, withLowSpk, bobKey, rng), 'invalid_key');
    }
  });

  it('refuses non-canonical X25519 encodings (u >= p, top bit set)', () => {
    const highBit = good.signedPreKey.publicKey.slice();
    highBit[31] = (highBit[31] ?? 0) | 0x80;
    const signature = sign(device.identity, signedPreKeyPayload(7, highBit));
    expectCryptoError(() => initiateSession(alice, { ...good, signedPreKey: { id: 7, publicKey: highBit, signature } }, bobKey, rng), 'invalid_key');
    const aboveP = hex('efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expectCryptoError(() => initiateSession(alice, { ...good, oneTimePreKey: { id: 9, publicKey: aboveP } }, bobKey, rng), 'invalid_key');
  });

  it('refuses a signed ML-KEM key that is not a valid ML-KEM-1024 public key', () => {
    const invalid = new Uint8Array(1568).fill(0xff); // coefficients >= q
    const signature = sign(device.identity, pqPreKeyPayload(8, invalid));
    expectCryptoError(() => initiateSession(alice, { ...good, pqPreKey: { id: 8, publicKey: invalid, signature } }, bobKey, rng), 'invalid_key');
  });

  it('refuses small-order and non-canonical identity keys', () => {
    for (const key of SMALL_ORDER_ED25519) {
      expectCryptoError(() => initiateSession(alice, { ...good, identityKey: key }, key, rng), 'invalid_key');
    }
    const nonCanonical = hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expectCryptoError(() => initiateSession(alice, { ...good, identityKey: nonCanonical }, nonCanonical, rng), 'invalid_key');
  });

  it('round-trips a bundle through its encoding', () => {
    expect(parseBundle(encodeBundle(good))).toEqual(good);
    const noOtk = bundleFor(device, {});
    expect(parseBundle(encodeBundle(noOtk))).toEqual({ ...noOtk, oneTimePreKey: undefined });
  });
});

describe('accepting an initial message', () => {
  const sent = encryptMessage(initiateSession(alice, good, bobKey, rng), text('first'), rng);

  it('consumes the one-time prekeys it used and refuses them afterwards', () => {
    const accepted = acceptInitialMessage(device, sent.message, alice.publicKey);
    expect(str(accepted.plaintext)).toBe('first');
    expect(accepted.deviceKeys.oneTimePreKeys.has(otk1)).toBe(false);
    expect(accepted.deviceKeys.oneTimePqPreKeys.has(pq1)).toBe(false);
    expect(accepted.deviceKeys.oneTimePreKeys.has(otk2)).toBe(true);
    expect(device.oneTimePreKeys.has(otk1)).toBe(true); // the input is untouched
    expectCryptoError(() => acceptInitialMessage(accepted.deviceKeys, sent.message, alice.publicKey), 'duplicate');
    // A different set-up naming the used one-time prekey is refused too.
    const again = encryptMessage(initiateSession(alice, good, bobKey, rng), text('again'), rng);
    expectCryptoError(() => acceptInitialMessage(accepted.deviceKeys, again.message, alice.publicKey), 'duplicate');
  });

  it('refuses a sender identity other than the expected one', () => {
    const other = generateIdentityKeyPair(rng).publicKey;
    expectCryptoError(() => acceptInitialMessage(device, sent.message, other), 'identity_mismatch');
  });

  it('refuses an initial message whose identity key was replaced', () => {
    const mallory = generateIdentityKeyPair(rng);
    const parsed = parseInitialMessage(sent.message);
    const forged = encodeInitialMessage({ ...parsed, identityKey: mallory.publicKey });
    expectCryptoError(() => acceptInitialMessage(device, forged, mallory.publicKey), 'decrypt_failed');
  });

  it('refuses a low-order base key', () => {
    const parsed = parseInitialMessage(sent.message);
    for (const point of LOW_ORDER_X25519) {
      const forged = encodeInitialMessage({ ...parsed, baseKey: point });
      expectCryptoError(() => acceptInitialMessage(device, forged, alice.publicKey), 'invalid_key');
    }
  });

  it('refuses unknown prekey ids', () => {
    const parsed = parseInitialMessage(sent.message);
    expectCryptoError(() => acceptInitialMessage(device, encodeInitialMessage({ ...parsed, signedPreKeyId: 777 }), alice.publicKey), 'unknown_prekey');
    expectCryptoError(() => acceptInitialMessage(device, encodeInitialMessage({ ...parsed, oneTimePreKeyId: 777 }), alice.publicKey), 'unknown_prekey');
    expectCryptoError(() => acceptInitialMessage(device, encodeInitialMessage({ ...parsed, pqPreKeyId: 777 }), alice.publicKey), 'unknown_prekey');
  });

  it('refuses a forged KEM ciphertext (implicit rejection, then authentication fails)', () => {
    const parsed = parseInitialMessage(sent.message);
    const forged = encodeInitialMessage({ ...parsed, kemCiphertext: flip(parsed.kemCiphertext, 7) });
    expectCryptoError(() => acceptInitialMessage(device, forged, alice.publicKey), 'decrypt_failed');
  });

  it('still opens messages sent to the previous signed prekey after a rotation', () => {
    const rotated = rotateSignedPreKeys(device, rng);
    expect(rotated.signedPreKeys).toHaveLength(2);
    expect(str(acceptInitialMessage(rotated, sent.message, alice.publicKey).plaintext)).toBe('first');
    const twice = rotateSignedPreKeys(rotated, rng);
    expectCryptoError(() => acceptInitialMessage(twice, sent.message, alice.publicKey), 'unknown_prekey');
  });
});
