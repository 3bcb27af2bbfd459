import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const DB_KEY_BYTES = 32;
const NONCE_BYTES = 24;
const enc = new TextEncoder();

export interface WrappedKey {
  algorithm: 'xchacha20poly1305';
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * KEK = HKDF-SHA256(Argon2id(PIN, salt) || deviceSecret), bound to the profile id through `info`.
 * Both halves are needed: the PIN alone does not open a folder copied off the machine, and the
 * device secret alone (readable by anyone using the same OS account) does not open a profile.
 */
export function deriveKek(pinHash: Uint8Array, deviceSecret: Uint8Array, profileId: string): Uint8Array {
  const ikm = new Uint8Array(pinHash.length + deviceSecret.length);
  ikm.set(pinHash, 0);
  ikm.set(deviceSecret, pinHash.length);
  try {
    return hkdf(sha256, ikm, undefined, enc.encode(`wardline/vault/kek/v1\0${profileId}`), 32);
  } finally {
    ikm.fill(0);
  }
}

/** The profile id is authenticated with the key, so a wrapped key cannot be moved to another profile. */
function aad(profileId: string): Uint8Array {
  return enc.encode(`wardline/vault/db-key/v1\0${profileId}`);
}

export function wrapKey(kek: Uint8Array, dbKey: Uint8Array, profileId: string): WrappedKey {
  if (dbKey.length !== DB_KEY_BYTES) throw new Error(`expected ${DB_KEY_BYTES}-byte database key, got ${dbKey.length}`);
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  return { algorithm: 'xchacha20poly1305', nonce, ciphertext: xchacha20poly1305(kek, nonce, aad(profileId)).encrypt(dbKey) };
}

/**
 * Null when the tag does not verify. profile.json's MAC has already been checked at this point,
 * so the ciphertext is what we wrote and a failure means the PIN (or device secret) is wrong.
 */
export function unwrapKey(kek: Uint8Array, w: WrappedKey, profileId: string): Uint8Array | null {
  try {
    const key = xchacha20poly1305(kek, w.nonce, aad(profileId)).decrypt(w.ciphertext);
    return key.length === DB_KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** Independent keys from the device secret for the two copies of the attempt counter. */
export interface MacKeys {
  profile: Uint8Array;
  ledger: Uint8Array;
}

export function deriveMacKeys(deviceSecret: Uint8Array): MacKeys {
  return {
    profile: hkdf(sha256, deviceSecret, undefined, enc.encode('wardline/vault/profile-mac/v1'), 32),
    ledger: hkdf(sha256, deviceSecret, undefined, enc.encode('wardline/vault/ledger-mac/v1'), 32),
  };
}

export function wipeMacKeys(k: MacKeys): void {
  k.profile.fill(0);
  k.ledger.fill(0);
}

/**
 * HMAC-SHA256 over a canonical JSON encoding (keys sorted), so the same record always gives the
 * same bytes no matter how the file was pretty-printed or re-ordered.
 */
export function macOf(key: Uint8Array, record: object): Uint8Array {
  return hmac(sha256, key, enc.encode(canonicalJson(record)));
}

export function macMatches(key: Uint8Array, record: object, mac: Uint8Array): boolean {
  const expected = macOf(key, record);
  return expected.length === mac.length && timingSafeEqual(expected, mac);
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

export function digestWrappedKey(w: WrappedKey | null): string | null {
  if (!w) return null;
  const h = sha256.create();
  h.update(w.nonce);
  h.update(w.ciphertext);
  return Buffer.from(h.digest()).toString('base64');
}
