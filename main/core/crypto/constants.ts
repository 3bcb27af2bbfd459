/**
 * Wardline protocol v1 parameters. Everything a second implementation would need to agree on
 * byte-for-byte is here; docs/protocol.md explains each value.
 */
import { utf8ToBytes as utf8 } from '@noble/hashes/utils.js';

/** First byte of every encoding. A new version may change any primitive or layout below. */
export const PROTOCOL_VERSION = 1;

/** Second byte of every encoding: what the bytes claim to be, so one can never parse as another. */
export const Kind = {
  bundle: 0x01,
  initialMessage: 0x02,
  ratchetMessage: 0x03,
  session: 0x04,
  deviceKeys: 0x05,
  safetyNumberQr: 0x06,
  sessionRecord: 0x07,
} as const;

export const KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const ML_KEM_PUBLIC_KEY_LENGTH = 1568;
export const ML_KEM_SECRET_KEY_LENGTH = 3168;
export const ML_KEM_CIPHERTEXT_LENGTH = 1568;
export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 24;
export const AEAD_TAG_LENGTH = 16;
export const HEADER_TAG_LENGTH = 16;

/** Receiving: the largest counter gap one message may make us derive (libsignal's value). */
export const MAX_FORWARD_JUMP = 25_000;
/** Skipped message keys kept per receiving chain; the oldest are evicted first (libsignal's value). */
export const MAX_SKIPPED_PER_CHAIN = 2_000;
/** Receiving chains kept, newest first; older ones are dropped with their skipped keys. */
export const MAX_RECEIVING_CHAINS = 5;
/** Hence never more than this many skipped keys in one session. */
export const MAX_SKIPPED_TOTAL = MAX_SKIPPED_PER_CHAIN * MAX_RECEIVING_CHAINS;
/** Largest plaintext one message may carry (64 MiB): bounds allocation on parse. */
export const MAX_PLAINTEXT_LENGTH = 64 * 1024 * 1024;

/** PQXDH's F: 32 bytes of 0xFF before the DH outputs, for X25519 (spec section 2.2). */
export const PQXDH_F = new Uint8Array(32).fill(0xff);

export const Info = {
  pqxdh: utf8('Wardline_v1_PQXDH_X25519_SHA-256_ML-KEM-1024'),
  ratchet: utf8('Wardline_v1_Ratchet'),
  messageKeys: utf8('Wardline_v1_MessageKeys'),
  signedPreKey: utf8('Wardline_v1_SignedPreKey_X25519'),
  pqPreKey: utf8('Wardline_v1_PQPreKey_ML-KEM-1024'),
  fingerprint: utf8('Wardline_v1_SafetyNumber'),
} as const;

/** Signal's count for safety numbers: slows down a search for a colliding identity key. */
export const FINGERPRINT_ITERATIONS = 5_200;

/** Initial-message base keys remembered to refuse replays that used only reusable prekeys. */
export const MAX_REMEMBERED_BASE_KEYS = 2_000;
/** One-time prekey ids remembered after use, so a reuse is reported as `duplicate`. */
export const MAX_REMEMBERED_USED_IDS = 2_000;
