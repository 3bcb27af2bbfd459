/**
 * Device identity keys. One Ed25519 key pair per device; its X25519 form for PQXDH is derived
 * by the standard birational map (RFC 7748 section 4.1, as libsodium's
 * crypto_sign_ed25519_pk_to_curve25519), not kept as a second key.
 *
 * Why conversion rather than a second, signature-bound X25519 key: the identity is then one
 * 32-byte value, which is what the directory certifies, what safety numbers show and what the
 * AEAD binds, so there is no second key whose binding could be forgotten or mismatched. Signal
 * makes the same single-key choice in the other direction (XEdDSA signs with the X25519 key).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { expectBytes, randomFrom, type Rng } from './bytes';
import { KEY_LENGTH, SIGNATURE_LENGTH } from './constants';
import { CryptoError } from './errors';

export interface IdentityKeyPair {
  /** Ed25519 public key: the device's identity everywhere. */
  readonly publicKey: Uint8Array;
  /** Ed25519 secret seed (RFC 8032); the X25519 secret is derived from it. */
  readonly secretKey: Uint8Array;
}

export function generateIdentityKeyPair(rng: Rng): IdentityKeyPair {
  const secretKey = randomFrom(rng, KEY_LENGTH);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/**
 * Strict check of an identity public key: canonical encoding, on the curve, not of small order.
 * A small-order identity key could make distinct messages verify and maps to a low-order X25519
 * point, so it is refused where it enters, before any signature or DH uses it.
 */
export function assertIdentityKey(publicKey: Uint8Array, what = 'identity key'): Uint8Array {
  expectBytes(publicKey, KEY_LENGTH, what);
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new CryptoError('invalid_key', `${what} is not a valid Ed25519 point`, { cause });
  }
  if (point.isSmallOrder()) throw new CryptoError('invalid_key', `${what} is of small order`);
  return publicKey;
}

export function sign(identity: IdentityKeyPair, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, identity.secretKey);
}

/**
 * RFC 8032 strict verification (zip215: false): rejects non-canonical encodings and small-order
 * keys, so a signature has exactly one accepted form and no malleated copy verifies.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== KEY_LENGTH) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** The X25519 public key for agreement with this identity (validated first). */
export function identityAgreementPublic(publicKey: Uint8Array): Uint8Array {
  assertIdentityKey(publicKey);
  try {
    return ed25519.utils.toMontgomery(publicKey);
  } catch (cause) {
    throw new CryptoError('invalid_key', 'identity key has no X25519 form', { cause });
  }
}

/** The X25519 secret matching identityAgreementPublic(identity.publicKey). */
export function identityAgreementSecret(identity: IdentityKeyPair): Uint8Array {
  return ed25519.utils.toMontgomerySecret(identity.secretKey);
}
