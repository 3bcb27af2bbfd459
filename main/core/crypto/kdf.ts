/**
 * Every key derivation in the protocol: the PQXDH KDF, the root KDF, the chain KDF, the
 * per-message key expansion and the header tag. All on SHA-256.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, HEADER_TAG_LENGTH, Info, KEY_LENGTH, PQXDH_F } from './constants';

const ZERO_SALT = new Uint8Array(32);
const MESSAGE_KEY_SEED_INPUT = Uint8Array.of(0x01);
const CHAIN_KEY_INPUT = Uint8Array.of(0x02);

export interface SessionSecrets {
  /** The PQXDH output SK, used as the first root key. */
  readonly rootKey: Uint8Array;
  /** Authenticates headers sent by the initiator (see headerTag). */
  readonly initiatorHeaderKey: Uint8Array;
  /** Authenticates headers sent by the responder. */
  readonly responderHeaderKey: Uint8Array;
}

/**
 * PQXDH: HKDF-SHA256(salt = 32 zero bytes, ikm = F || DH1 || DH2 || DH3 [|| DH4] || SS).
 * F makes the input never a valid X25519 output prefix, separating it from XEdDSA use (spec 2.2).
 * We expand 96 bytes: the first 32 are exactly the spec's SK; the other 64 are the two
 * direction-specific header keys (HKDF-Expand output is a prefix-stable stream).
 */
export function pqxdhKdf(dhOutputs: readonly Uint8Array[], kemSharedSecret: Uint8Array): SessionSecrets {
  const ikm = concatBytes(PQXDH_F, ...dhOutputs, kemSharedSecret);
  const okm = hkdf(sha256, ikm, ZERO_SALT, Info.pqxdh, 3 * KEY_LENGTH);
  return {
    rootKey: okm.slice(0, 32),
    initiatorHeaderKey: okm.slice(32, 64),
    responderHeaderKey: okm.slice(64, 96),
  };
}

/** Double Ratchet KDF_RK: HKDF-SHA256(salt = root key, ikm = DH output) -> (root key, chain key). */
export function rootKdf(rootKey: Uint8Array, dhOutput: Uint8Array): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const okm = hkdf(sha256, dhOutput, rootKey, Info.ratchet, 2 * KEY_LENGTH);
  return { rootKey: okm.slice(0, 32), chainKey: okm.slice(32, 64) };
}

/**
 * Double Ratchet KDF_CK, as libsignal: HMAC-SHA256(ck, 0x01) is the message key seed and
 * HMAC-SHA256(ck, 0x02) the next chain key. The keyed HMAC state is computed once and cloned,
 * since both outputs use the same key.
 */
export function chainStep(chainKey: Uint8Array): { messageKeySeed: Uint8Array; nextChainKey: Uint8Array } {
  const keyed = hmac.create(sha256, chainKey);
  const seedMac = keyed.clone();
  const messageKeySeed = seedMac.update(MESSAGE_KEY_SEED_INPUT).digest();
  const nextChainKey = keyed.update(CHAIN_KEY_INPUT).digest();
  seedMac.destroy();
  keyed.destroy();
  return { messageKeySeed, nextChainKey };
}

/**
 * HKDF-SHA256(ikm = message key seed, no salt, info) -> length bytes. With libsignal's info
 * "WhisperMessageKeys" and 80 bytes this is libsignal's MessageKeys derivation (tested).
 */
export function expandMessageKeySeed(seed: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(sha256, seed, undefined, info, length);
}

/** Wardline's per-message AEAD key and nonce. Each key encrypts exactly one message. */
export function messageKeys(seed: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = expandMessageKeySeed(seed, Info.messageKeys, AEAD_KEY_LENGTH + AEAD_NONCE_LENGTH);
  return { key: okm.subarray(0, AEAD_KEY_LENGTH), nonce: okm.subarray(AEAD_KEY_LENGTH) };
}

/**
 * HMAC-SHA256(header key, header) truncated to 16 bytes. Only the two session peers know the
 * header key, so a receiver discards forged or foreign headers before paying for a DH ratchet
 * step or for deriving up to MAX_FORWARD_JUMP chain keys. Integrity itself comes from the AEAD.
 */
export function headerTag(headerKey: Uint8Array, header: Uint8Array): Uint8Array {
  return hmac(sha256, headerKey, header).subarray(0, HEADER_TAG_LENGTH);
}
