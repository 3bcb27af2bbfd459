/**
 * Wire encodings of v1: prekey bundles, initial (PQXDH) messages and ratchet messages.
 * Layout: version byte, kind byte, then fields in a fixed order; fixed-size fields have the
 * size the version defines, variable ones carry an explicit length. Parsers accept exactly one
 * encoding per value (flags 0/1, exact lengths, no trailing bytes) and report anything else as
 * a CryptoError, never as an exception from a primitive.
 */
import { ByteReader, ByteWriter } from './bytes';
import {
  AEAD_TAG_LENGTH,
  HEADER_TAG_LENGTH,
  KEY_LENGTH,
  Kind,
  MAX_PLAINTEXT_LENGTH,
  ML_KEM_CIPHERTEXT_LENGTH,
  ML_KEM_PUBLIC_KEY_LENGTH,
  PROTOCOL_VERSION,
  SIGNATURE_LENGTH,
} from './constants';
import { CryptoError } from './errors';
import { assertIdentityKey } from './identity';
import type { PreKeyBundle } from './prekeys';

export type MessageKind = 'initial' | 'ratchet';

export interface RatchetMessage {
  /** The bytes the header tag and the AEAD authenticate: version, kind, key, pn, n. */
  readonly header: Uint8Array;
  readonly ratchetKey: Uint8Array;
  readonly previousCounter: number;
  readonly counter: number;
  readonly headerTag: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface InitialMessage {
  readonly identityKey: Uint8Array;
  readonly baseKey: Uint8Array;
  readonly signedPreKeyId: number;
  readonly oneTimePreKeyId: number | undefined;
  readonly pqPreKeyId: number;
  readonly kemCiphertext: Uint8Array;
  /** The ratchet message it carries, still encoded (parsed when decrypted). */
  readonly message: Uint8Array;
}

export const RATCHET_HEADER_LENGTH = 2 + KEY_LENGTH + 4 + 4;
const MAX_CIPHERTEXT = MAX_PLAINTEXT_LENGTH + AEAD_TAG_LENGTH;
const MAX_RATCHET_MESSAGE = RATCHET_HEADER_LENGTH + HEADER_TAG_LENGTH + 4 + MAX_CIPHERTEXT;

/** Which parser to use for an incoming message; checks the version first. */
export function messageKind(bytes: Uint8Array): MessageKind {
  const kind = readPreamble(bytes, 'message');
  if (kind === Kind.initialMessage) return 'initial';
  if (kind === Kind.ratchetMessage) return 'ratchet';
  throw new CryptoError('unsupported_version', `message: unknown kind ${kind}`);
}

export function encodeRatchetHeader(ratchetKey: Uint8Array, previousCounter: number, counter: number): Uint8Array {
  return new ByteWriter(RATCHET_HEADER_LENGTH)
    .u8(PROTOCOL_VERSION)
    .u8(Kind.ratchetMessage)
    .put(ratchetKey)
    .u32(previousCounter)
    .u32(counter)
    .finish();
}

export function encodeRatchetMessage(header: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return new ByteWriter(header.length + tag.length + 4 + ciphertext.length)
    .put(header)
    .put(tag)
    .sized32(ciphertext)
    .finish();
}

export function parseRatchetMessage(bytes: Uint8Array): RatchetMessage {
  expectKind(bytes, Kind.ratchetMessage, 'ratchet message');
  const r = new ByteReader(bytes, 'ratchet message');
  r.take(2, 'preamble');
  const ratchetKey = r.take(KEY_LENGTH, 'ratchet key');
  const previousCounter = r.u32('previous counter');
  const counter = r.u32('counter');
  const headerTag = r.take(HEADER_TAG_LENGTH, 'header tag');
  const ciphertext = r.sized32(AEAD_TAG_LENGTH, MAX_CIPHERTEXT, 'ciphertext');
  r.end();
  return { header: bytes.subarray(0, RATCHET_HEADER_LENGTH), ratchetKey, previousCounter, counter, headerTag, ciphertext };
}

export function encodeInitialMessage(m: InitialMessage): Uint8Array {
  const hasOneTime = m.oneTimePreKeyId !== undefined;
  const length = 2 + 2 * KEY_LENGTH + 4 + 1 + (hasOneTime ? 4 : 0) + 4 + 2 + m.kemCiphertext.length + 4 + m.message.length;
  const w = new ByteWriter(length)
    .u8(PROTOCOL_VERSION)
    .u8(Kind.initialMessage)
    .put(m.identityKey)
    .put(m.baseKey)
    .u32(m.signedPreKeyId)
    .u8(hasOneTime ? 1 : 0);
  if (m.oneTimePreKeyId !== undefined) w.u32(m.oneTimePreKeyId);
  return w.u32(m.pqPreKeyId).sized16(m.kemCiphertext).sized32(m.message).finish();
}

export function parseInitialMessage(bytes: Uint8Array): InitialMessage {
  expectKind(bytes, Kind.initialMessage, 'initial message');
  const r = new ByteReader(bytes, 'initial message');
  r.take(2, 'preamble');
  const identityKey = assertIdentityKey(r.take(KEY_LENGTH, 'identity key'), 'initial message identity key');
  const baseKey = r.take(KEY_LENGTH, 'base key');
  const signedPreKeyId = r.u32('signed prekey id');
  const oneTimePreKeyId = r.flag('one-time prekey flag') ? r.u32('one-time prekey id') : undefined;
  const pqPreKeyId = r.u32('PQ prekey id');
  const kemCiphertext = r.sized16(ML_KEM_CIPHERTEXT_LENGTH, 'KEM ciphertext');
  const message = r.sized32(0, MAX_RATCHET_MESSAGE, 'ratchet message');
  r.end();
  return { identityKey, baseKey, signedPreKeyId, oneTimePreKeyId, pqPreKeyId, kemCiphertext, message };
}

export function encodeBundle(b: PreKeyBundle): Uint8Array {
  const otk = b.oneTimePreKey;
  const length =
    2 + KEY_LENGTH + (4 + KEY_LENGTH + SIGNATURE_LENGTH) + 1 + (otk ? 4 + KEY_LENGTH : 0) +
    (4 + 2 + b.pqPreKey.publicKey.length + SIGNATURE_LENGTH);
  const w = new ByteWriter(length)
    .u8(PROTOCOL_VERSION)
    .u8(Kind.bundle)
    .put(b.identityKey)
    .u32(b.signedPreKey.id)
    .put(b.signedPreKey.publicKey)
    .put(b.signedPreKey.signature)
    .u8(otk ? 1 : 0);
  if (otk) w.u32(otk.id).put(otk.publicKey);
  return w.u32(b.pqPreKey.id).sized16(b.pqPreKey.publicKey).put(b.pqPreKey.signature).finish();
}

/** Structure only: signatures are checked by verifyBundle when a session is started from it. */
export function parseBundle(bytes: Uint8Array): PreKeyBundle {
  expectKind(bytes, Kind.bundle, 'prekey bundle');
  const r = new ByteReader(bytes, 'prekey bundle');
  r.take(2, 'preamble');
  const identityKey = assertIdentityKey(r.take(KEY_LENGTH, 'identity key'), 'bundle identity key');
  const signedPreKey = {
    id: r.u32('signed prekey id'),
    publicKey: r.take(KEY_LENGTH, 'signed prekey'),
    signature: r.take(SIGNATURE_LENGTH, 'signed prekey signature'),
  };
  const oneTimePreKey = r.flag('one-time prekey flag')
    ? { id: r.u32('one-time prekey id'), publicKey: r.take(KEY_LENGTH, 'one-time prekey') }
    : undefined;
  const pqId = r.u32('PQ prekey id');
  const pqLength = r.u16('PQ prekey length');
  // A zero-length PQ prekey is how an X3DH-only bundle would look: name the refusal precisely.
  if (pqLength === 0) throw new CryptoError('no_pq_prekey', 'bundle has no post-quantum prekey');
  if (pqLength !== ML_KEM_PUBLIC_KEY_LENGTH) {
    throw new CryptoError('malformed', `prekey bundle: PQ prekey must be ${ML_KEM_PUBLIC_KEY_LENGTH} bytes`);
  }
  const pqPreKey = {
    id: pqId,
    publicKey: r.take(pqLength, 'PQ prekey'),
    signature: r.take(SIGNATURE_LENGTH, 'PQ prekey signature'),
  };
  r.end();
  return { identityKey, signedPreKey, oneTimePreKey, pqPreKey };
}

function readPreamble(bytes: Uint8Array, what: string): number {
  if (bytes.length < 2) throw new CryptoError('malformed', `${what}: too short`);
  if (bytes[0] !== PROTOCOL_VERSION) {
    throw new CryptoError('unsupported_version', `${what}: unsupported version ${bytes[0] ?? 'none'}`);
  }
  return bytes[1] ?? 0;
}

/** Shared by every decoder, including the session and device-key codecs. */
export function expectKind(bytes: Uint8Array, kind: number, what: string): void {
  const found = readPreamble(bytes, what);
  if (found !== kind) throw new CryptoError('malformed', `${what}: wrong kind ${found}`);
}
