/**
 * Safety numbers: what two people compare to know they hold each other's real identity keys.
 * As Signal's NumericFingerprintGenerator: per party, an iterated SHA-512 over the identity key
 * (5,200 rounds) gives 30 digits; the two halves are sorted, so both sides show the same 60
 * digits and the same QR payload whoever computes them.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter } from './bytes';
import { FINGERPRINT_ITERATIONS, Info, KEY_LENGTH, Kind, PROTOCOL_VERSION } from './constants';
import { CryptoError } from './errors';
import { assertIdentityKey } from './identity';

export interface FingerprintParty {
  /**
   * The party's identity key, or every identity key of the party's devices. A Wardline user has
   * one identity key per enrolled workstation (no key is copied between machines), so a person's
   * safety number covers all of them: a workstation added or replaced changes the number, which
   * is exactly what two people comparing numbers must notice.
   */
  readonly identityKey: Uint8Array | readonly Uint8Array[];
  /** A stable account identifier (e.g. the user id as UTF-8), binding the key to the person. */
  readonly stableId?: Uint8Array;
}

export interface SafetyNumber {
  /** 60 decimal digits. */
  readonly digits: string;
  /** Bytes to put in a QR code: version, kind, both 32-byte fingerprints in sorted order. */
  readonly qrPayload: Uint8Array;
}

const QR_LENGTH = 2 + 2 * KEY_LENGTH;
const MAX_STABLE_ID = 1024;

export function safetyNumber(a: FingerprintParty, b: FingerprintParty): SafetyNumber {
  const [first, second] = [partyFingerprint(a), partyFingerprint(b)].sort(compareBytes) as [Uint8Array, Uint8Array];
  const qrPayload = new ByteWriter(QR_LENGTH)
    .u8(PROTOCOL_VERSION)
    .u8(Kind.safetyNumberQr)
    .put(first.subarray(0, KEY_LENGTH))
    .put(second.subarray(0, KEY_LENGTH))
    .finish();
  return { digits: digits30(first) + digits30(second), qrPayload };
}

/** "12345 67890 ..." in 12 groups of five, as shown on screen. */
export function formatSafetyNumber(digits: string): string {
  return digits.match(/.{1,5}/g)?.join(' ') ?? '';
}

/** True when a scanned QR payload is this pair's. Malformed scans are typed errors. */
export function matchesScannedSafetyNumber(mine: SafetyNumber, scanned: Uint8Array): boolean {
  if (scanned.length < 2 || scanned[0] !== PROTOCOL_VERSION) {
    throw new CryptoError('unsupported_version', 'safety number QR: unsupported version');
  }
  const r = new ByteReader(scanned, 'safety number QR');
  if (r.take(2, 'preamble')[1] !== Kind.safetyNumberQr) throw new CryptoError('malformed', 'not a safety number QR');
  r.take(2 * KEY_LENGTH, 'fingerprints');
  r.end();
  return equalBytes(mine.qrPayload, scanned);
}

/** hash_0 = SHA-512(version || label || key || len(id) || id); hash_i = SHA-512(hash_{i-1} || key). */
function partyFingerprint(party: FingerprintParty): Uint8Array {
  const key = partyKeyMaterial(party.identityKey);
  const stableId = party.stableId ?? new Uint8Array(0);
  if (stableId.length > MAX_STABLE_ID) throw new CryptoError('invalid_argument', 'stable id too long');
  const seed = new ByteWriter(2 + Info.fingerprint.length + key.length + 2 + stableId.length)
    .u16(PROTOCOL_VERSION)
    .put(Info.fingerprint)
    .put(key)
    .sized16(stableId)
    .finish();
  let hash = sha512(seed);
  const round = new Uint8Array(hash.length + key.length);
  round.set(key, hash.length);
  for (let i = 0; i < FINGERPRINT_ITERATIONS; i++) {
    round.set(hash, 0);
    hash = sha512(round);
  }
  return hash;
}

const MAX_PARTY_KEYS = 64;

/**
 * One key: the key itself (Signal's construction). Several: a count byte, then the keys sorted,
 * so the order devices were listed in cannot change the number and the encoding is unambiguous
 * (a single key is 32 bytes; a list is 1 + 32n with n >= 2).
 */
function partyKeyMaterial(identityKey: Uint8Array | readonly Uint8Array[]): Uint8Array {
  if (identityKey instanceof Uint8Array) return assertIdentityKey(identityKey);
  if (identityKey.length === 0 || identityKey.length > MAX_PARTY_KEYS) {
    throw new CryptoError('invalid_argument', `a party has 1..${MAX_PARTY_KEYS} identity keys, got ${identityKey.length}`);
  }
  if (identityKey.length === 1) return assertIdentityKey(identityKey[0]!);
  const sorted = identityKey.map((k) => assertIdentityKey(k)).sort(compareBytes);
  for (let i = 1; i < sorted.length; i++) {
    if (equalBytes(sorted[i - 1]!, sorted[i]!)) throw new CryptoError('invalid_argument', 'the same identity key is listed twice');
  }
  const out = new Uint8Array(1 + KEY_LENGTH * sorted.length);
  out[0] = sorted.length;
  sorted.forEach((k, i) => out.set(k, 1 + KEY_LENGTH * i));
  return out;
}

/** Six 5-byte big-endian chunks, each mod 100000, as in Signal's displayable fingerprint. */
function digits30(hash: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + (hash[chunk * 5 + i] ?? 0);
    out += String(value % 100_000).padStart(5, '0');
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
