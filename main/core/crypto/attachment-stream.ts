/**
 * Attachment encryption: a fresh random 32-byte key per file, and the file cut into chunks each
 * sealed with XChaCha20-Poly1305 (the STREAM construction). The nonce is a random 16-byte prefix,
 * the chunk index and a final-chunk flag, so chunks cannot be reordered, dropped, duplicated or
 * the file truncated or extended without a decryption failure; and a whole file never has to be
 * in memory at once on either side.
 *
 * Layout: header = version (1) | chunk size (u32 BE) | nonce prefix (16); then each chunk's
 * ciphertext (plaintext length + 16-byte tag). Every chunk but the last holds exactly `chunkSize`
 * plaintext bytes; the last holds 0..chunkSize. The SHA-256 of the whole ciphertext travels in the
 * message beside the key, so the recipient checks the relay returned exactly what was sent.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Rng } from './bytes';
import { CryptoError } from './errors';

export const ATTACHMENT_VERSION = 1;
export const ATTACHMENT_KEY_BYTES = 32;
export const ATTACHMENT_HEADER_BYTES = 1 + 4 + 16;
export const ATTACHMENT_TAG_BYTES = 16;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

export interface AttachmentHeader {
  chunkSize: number;
  noncePrefix: Uint8Array;
}

export function newAttachmentHeader(rng: Rng, chunkSize = DEFAULT_CHUNK_BYTES): AttachmentHeader {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) {
    throw new CryptoError('invalid_argument', `chunk size must be 1..${MAX_CHUNK_BYTES}, got ${chunkSize}`);
  }
  const noncePrefix = rng(16);
  if (noncePrefix.length !== 16) throw new CryptoError('invalid_argument', 'rng returned the wrong length');
  return { chunkSize, noncePrefix };
}

export function encodeAttachmentHeader(header: AttachmentHeader): Uint8Array {
  const out = new Uint8Array(ATTACHMENT_HEADER_BYTES);
  out[0] = ATTACHMENT_VERSION;
  new DataView(out.buffer).setUint32(1, header.chunkSize);
  out.set(header.noncePrefix, 5);
  return out;
}

export function parseAttachmentHeader(bytes: Uint8Array): AttachmentHeader {
  if (bytes.length < ATTACHMENT_HEADER_BYTES) throw new CryptoError('malformed', `attachment header needs ${ATTACHMENT_HEADER_BYTES} bytes, got ${bytes.length}`);
  if (bytes[0] !== ATTACHMENT_VERSION) throw new CryptoError('unsupported_version', `attachment version ${bytes[0]} is not supported`);
  const chunkSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) throw new CryptoError('malformed', `attachment chunk size ${chunkSize} is out of range`);
  return { chunkSize, noncePrefix: bytes.slice(5, ATTACHMENT_HEADER_BYTES) };
}

function chunkNonce(prefix: Uint8Array, index: number, final: boolean): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) throw new CryptoError('invalid_argument', 'too many chunks');
  const nonce = new Uint8Array(24);
  nonce.set(prefix, 0);
  new DataView(nonce.buffer).setUint32(16, index);
  nonce[20] = final ? 1 : 0;
  return nonce;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== ATTACHMENT_KEY_BYTES) throw new CryptoError('invalid_key', `expected ${ATTACHMENT_KEY_BYTES}-byte attachment key, got ${key.length}`);
}

/** Seals chunk `index`; `final` must be true for exactly the last one. */
export function sealAttachmentChunk(key: Uint8Array, header: AttachmentHeader, index: number, plaintext: Uint8Array, final: boolean): Uint8Array {
  checkKey(key);
  if (plaintext.length > header.chunkSize || (!final && plaintext.length !== header.chunkSize)) {
    throw new CryptoError('invalid_argument', 'only the final chunk may be shorter than the chunk size');
  }
  return xchacha20poly1305(key, chunkNonce(header.noncePrefix, index, final)).encrypt(plaintext);
}

export function openAttachmentChunk(key: Uint8Array, header: AttachmentHeader, index: number, ciphertext: Uint8Array, final: boolean): Uint8Array {
  checkKey(key);
  if (ciphertext.length < ATTACHMENT_TAG_BYTES || ciphertext.length > header.chunkSize + ATTACHMENT_TAG_BYTES) {
    throw new CryptoError('malformed', `attachment chunk ${index} has an impossible length ${ciphertext.length}`);
  }
  try {
    return xchacha20poly1305(key, chunkNonce(header.noncePrefix, index, final)).decrypt(ciphertext);
  } catch (cause) {
    throw new CryptoError('decrypt_failed', `attachment chunk ${index} failed authentication`, { cause });
  }
}

/** Ciphertext size for a plaintext of `size` bytes, so uploads can announce their length first. */
export function encryptedAttachmentSize(size: number, chunkSize = DEFAULT_CHUNK_BYTES): number {
  const chunks = Math.max(1, Math.ceil(size / chunkSize));
  return ATTACHMENT_HEADER_BYTES + size + chunks * ATTACHMENT_TAG_BYTES;
}

/**
 * Cuts a ciphertext stream back into chunks as bytes arrive, decrypting each; memory stays
 * within two chunks whatever the file size. Call push() per received piece, then end().
 */
export class AttachmentDecryptor {
  private header: AttachmentHeader | null = null;
  private buffer: Uint8Array = new Uint8Array(0);
  private index = 0;
  private done = false;

  constructor(private readonly key: Uint8Array) {
    checkKey(key);
  }

  /** Returns the plaintext of every chunk completed by this piece (never the last one: end() does). */
  push(piece: Uint8Array): Uint8Array[] {
    if (this.done) throw new CryptoError('malformed', 'data after the end of the attachment');
    this.buffer = concat(this.buffer, piece);
    if (!this.header) {
      if (this.buffer.length < ATTACHMENT_HEADER_BYTES) return [];
      this.header = parseAttachmentHeader(this.buffer.subarray(0, ATTACHMENT_HEADER_BYTES));
      this.buffer = this.buffer.slice(ATTACHMENT_HEADER_BYTES);
    }
    const full = this.header.chunkSize + ATTACHMENT_TAG_BYTES;
    const out: Uint8Array[] = [];
    // Keep at least one full chunk back: only end() knows whether it is the last.
    while (this.buffer.length > full) {
      out.push(openAttachmentChunk(this.key, this.header, this.index++, this.buffer.subarray(0, full), false));
      this.buffer = this.buffer.slice(full);
    }
    return out;
  }

  end(): Uint8Array {
    if (!this.header) throw new CryptoError('malformed', 'attachment shorter than its header');
    this.done = true;
    return openAttachmentChunk(this.key, this.header, this.index++, this.buffer, true);
  }
}

/** Encrypts a whole in-memory file, chunk by chunk, yielding the header then each sealed chunk. */
export function* encryptAttachment(key: Uint8Array, plaintext: Uint8Array, rng: Rng, chunkSize = DEFAULT_CHUNK_BYTES): Generator<Uint8Array> {
  const header = newAttachmentHeader(rng, chunkSize);
  yield encodeAttachmentHeader(header);
  const chunks = Math.max(1, Math.ceil(plaintext.length / chunkSize));
  for (let i = 0; i < chunks; i++) {
    const part = plaintext.subarray(i * chunkSize, Math.min(plaintext.length, (i + 1) * chunkSize));
    yield sealAttachmentChunk(key, header, i, part, i === chunks - 1);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
