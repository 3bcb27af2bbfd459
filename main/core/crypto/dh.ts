/**
 * X25519 key pairs and agreement with the checks the protocol relies on.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { expectBytes, isAllZero, randomFrom, type Rng } from './bytes';
import { KEY_LENGTH } from './constants';
import { CryptoError } from './errors';

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateKeyPair(rng: Rng): KeyPair {
  const secretKey = randomFrom(rng, KEY_LENGTH);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * X25519(secret, public), refusing low-order inputs. A low-order public key forces a shared
 * secret the attacker knows (all zero), which would silently drop that DH's contribution to the
 * session key; noble throws on it and we also refuse an all-zero result outright.
 */
export function agree(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  expectBytes(publicKey, KEY_LENGTH, 'X25519 public key');
  if (!isCanonicalU(publicKey)) throw new CryptoError('invalid_key', 'X25519 public key is not canonically encoded');
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch (cause) {
    throw new CryptoError('invalid_key', 'X25519 public key is low order', { cause });
  }
  if (isAllZero(shared)) throw new CryptoError('invalid_key', 'X25519 shared secret is all zero');
  return shared;
}

/**
 * RFC 7748 lets X25519 accept u >= p and a set top bit, so one point has several encodings.
 * Honest keys never use them; refusing them keeps every key (and so every header) canonical.
 */
function isCanonicalU(u: Uint8Array): boolean {
  const top = u[31] ?? 0;
  if (top & 0x80) return false;
  if (top !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (u[i] !== 0xff) return true;
  return (u[0] ?? 0) < 0xed; // p = 2^255 - 19 = 0x7fff...ffed
}
