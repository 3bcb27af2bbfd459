/**
 * Device certificates: the organisation's directory key vouches that a device id and identity key
 * belong to a user. The relay signs them at enrolment; clients pin the directory public key and
 * refuse any device whose certificate does not verify, so a device cannot appear in a user's device
 * list without the directory key having signed it.
 *
 * Wire form: one opaque byte string, body || 64-byte Ed25519 signature over the body.
 * Body (all integers big-endian):
 *   u8  version (1)
 *   u8  context length, context bytes ("wardline-device-cert")
 *   u16 userId length, userId (UTF-8)
 *   u16 deviceId length, deviceId (UTF-8)
 *   u8  identityKey length (32), identityKey (Ed25519 public key)
 *   u64 issuedAt (milliseconds since the Unix epoch)
 *
 * Every field is length-prefixed and the parser rejects trailing bytes, so no two different field
 * tuples share an encoding (no ambiguity an attacker could use to re-purpose a signature).
 * Pure functions over bytes: no node:* imports, so the renderer build can include this file.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

export const CERTIFICATE_VERSION = 1;
export const CERTIFICATE_CONTEXT = 'wardline-device-cert';
export const IDENTITY_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
const MAX_ID_BYTES = 256;

export interface DeviceCertificateFields {
  userId: string;
  deviceId: string;
  identityKey: Uint8Array;
  issuedAt: number;
}

export class CertificateError extends Error {
  override name = 'CertificateError';
}

/** The exact bytes the directory key signs. */
export function encodeCertificateBody(fields: DeviceCertificateFields): Uint8Array {
  const context = utf8(CERTIFICATE_CONTEXT);
  const userId = utf8(fields.userId);
  const deviceId = utf8(fields.deviceId);
  checkId('userId', userId);
  checkId('deviceId', deviceId);
  if (fields.identityKey.length !== IDENTITY_KEY_BYTES) {
    throw new CertificateError(`expected ${IDENTITY_KEY_BYTES}-byte identity key, got ${fields.identityKey.length}`);
  }
  if (!Number.isSafeInteger(fields.issuedAt) || fields.issuedAt < 0) {
    throw new CertificateError('issuedAt must be a non-negative integer number of milliseconds');
  }
  const out = new Uint8Array(1 + 1 + context.length + 2 + userId.length + 2 + deviceId.length + 1 + IDENTITY_KEY_BYTES + 8);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = CERTIFICATE_VERSION;
  out[at++] = context.length;
  out.set(context, at);
  at += context.length;
  view.setUint16(at, userId.length);
  out.set(userId, at + 2);
  at += 2 + userId.length;
  view.setUint16(at, deviceId.length);
  out.set(deviceId, at + 2);
  at += 2 + deviceId.length;
  out[at++] = IDENTITY_KEY_BYTES;
  out.set(fields.identityKey, at);
  at += IDENTITY_KEY_BYTES;
  view.setBigUint64(at, BigInt(fields.issuedAt));
  return out;
}

/** Relay side: body || signature under the directory secret key. */
export function signDeviceCertificate(fields: DeviceCertificateFields, directorySecretKey: Uint8Array): Uint8Array {
  const body = encodeCertificateBody(fields);
  const signature = ed25519.sign(body, directorySecretKey);
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body);
  out.set(signature, body.length);
  return out;
}

/** Splits and parses a certificate without checking its signature (for display and tests). */
export function parseDeviceCertificate(certificate: Uint8Array): {
  fields: DeviceCertificateFields;
  body: Uint8Array;
  signature: Uint8Array;
} {
  if (certificate.length < SIGNATURE_BYTES + 1) throw new CertificateError('certificate too short');
  const body = certificate.subarray(0, certificate.length - SIGNATURE_BYTES);
  const signature = certificate.subarray(certificate.length - SIGNATURE_BYTES);
  const reader = new Reader(body);
  if (reader.u8() !== CERTIFICATE_VERSION) throw new CertificateError('unsupported certificate version');
  if (text(reader.take(reader.u8())) !== CERTIFICATE_CONTEXT) throw new CertificateError('wrong certificate context');
  const userId = text(reader.take(reader.u16()));
  const deviceId = text(reader.take(reader.u16()));
  const keyLength = reader.u8();
  if (keyLength !== IDENTITY_KEY_BYTES) throw new CertificateError(`expected ${IDENTITY_KEY_BYTES}-byte identity key, got ${keyLength}`);
  const identityKey = reader.take(IDENTITY_KEY_BYTES).slice();
  const issuedAt = reader.u64();
  if (!reader.done()) throw new CertificateError('trailing bytes after certificate body');
  const fields = { userId, deviceId, identityKey, issuedAt };
  // Re-encoding must reproduce the body byte for byte: this rejects non-canonical UTF-8 and any
  // other encoding slack that would let two byte strings carry the same claims.
  if (!bytesEqual(encodeCertificateBody(fields), body)) throw new CertificateError('non-canonical certificate body');
  return { fields, body, signature };
}

/**
 * Client side: verifies the certificate under the pinned directory public key and, when given,
 * that it names the expected user, device and identity key. Throws CertificateError otherwise.
 */
export function verifyDeviceCertificate(
  certificate: Uint8Array,
  directoryPublicKey: Uint8Array,
  expected: Partial<Omit<DeviceCertificateFields, 'issuedAt'>> = {},
): DeviceCertificateFields {
  if (directoryPublicKey.length !== 32) {
    throw new CertificateError(`expected 32-byte directory public key, got ${directoryPublicKey.length}`);
  }
  const { fields, body, signature } = parseDeviceCertificate(certificate);
  // zip215: false = strict RFC 8032 encodings, so a signature has exactly one accepted form.
  let valid = false;
  try {
    valid = ed25519.verify(signature, body, directoryPublicKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) throw new CertificateError('certificate signature does not verify under the directory key');
  if (expected.userId !== undefined && expected.userId !== fields.userId) throw new CertificateError('certificate names another user');
  if (expected.deviceId !== undefined && expected.deviceId !== fields.deviceId) throw new CertificateError('certificate names another device');
  if (expected.identityKey !== undefined && !bytesEqual(expected.identityKey, fields.identityKey)) {
    throw new CertificateError('certificate names another identity key');
  }
  return fields;
}

function checkId(name: string, bytes: Uint8Array): void {
  if (bytes.length === 0 || bytes.length > MAX_ID_BYTES) throw new CertificateError(`${name} must be 1..${MAX_ID_BYTES} bytes`);
}

function utf8(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function text(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CertificateError('certificate field is not valid UTF-8');
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) throw new CertificateError('truncated certificate');
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
  u8(): number {
    return this.take(1)[0] ?? 0;
  }
  u16(): number {
    this.take(2);
    return this.view.getUint16(this.at - 2);
  }
  u64(): number {
    this.take(8);
    const value = this.view.getBigUint64(this.at - 8);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CertificateError('issuedAt out of range');
    return Number(value);
  }
  done(): boolean {
    return this.at === this.bytes.length;
  }
}
