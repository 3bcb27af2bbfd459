/**
 * Byte helpers shared by the encodings: a bounds-checked reader and a pre-sized writer. Every
 * length check lives here so a short or overlong input becomes a `malformed` CryptoError at the
 * boundary instead of an out-of-range read deeper down.
 */
import { CryptoError } from './errors';

export type Rng = (length: number) => Uint8Array;

export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i] ?? 0;
  return acc === 0;
}

/** Checks a caller-supplied byte string at an API boundary. */
export function expectBytes(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError('invalid_argument', `expected ${what} as Uint8Array`);
  }
  if (value.length !== length) {
    throw new CryptoError('invalid_key', `expected ${length}-byte ${what}, got ${value.length}`);
  }
  return value;
}

/** Draws randomness from the caller's rng and refuses a generator that returns the wrong size. */
export function randomFrom(rng: Rng, length: number): Uint8Array {
  const out = rng(length);
  if (!(out instanceof Uint8Array) || out.length !== length) {
    throw new CryptoError('invalid_argument', `rng must return ${length} bytes`);
  }
  return out;
}

export class ByteReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  /** A view, not a copy: parsed structures share the input buffer until they are stored. */
  take(length: number, field: string): Uint8Array {
    if (length > this.bytes.length - this.offset) {
      throw new CryptoError('malformed', `${this.what}: truncated at ${field}`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0] ?? 0;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }

  u32(field: string): number {
    const b = this.take(4, field);
    return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  }

  /** Flags are exactly 0 or 1 so that every structure has one encoding. */
  flag(field: string): boolean {
    const value = this.u8(field);
    if (value > 1) throw new CryptoError('malformed', `${this.what}: ${field} must be 0 or 1`);
    return value === 1;
  }

  /** A u16-length-prefixed field whose length is fixed by the version. */
  sized16(expected: number, field: string): Uint8Array {
    const length = this.u16(field);
    if (length !== expected) {
      throw new CryptoError('malformed', `${this.what}: ${field} must be ${expected} bytes, got ${length}`);
    }
    return this.take(length, field);
  }

  /** A u32-length-prefixed field of bounded size. */
  sized32(min: number, max: number, field: string): Uint8Array {
    const length = this.u32(field);
    if (length < min || length > max) {
      throw new CryptoError('malformed', `${this.what}: ${field} length ${length} out of range`);
    }
    return this.take(length, field);
  }

  /** Canonical encodings have no trailing bytes. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new CryptoError('malformed', `${this.what}: ${this.bytes.length - this.offset} trailing bytes`);
    }
  }
}

export class ByteWriter {
  private offset = 0;
  readonly bytes: Uint8Array;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
  }

  put(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  u8(value: number): this {
    this.bytes[this.offset++] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    this.bytes[this.offset++] = (value >>> 8) & 0xff;
    this.bytes[this.offset++] = value & 0xff;
    return this;
  }

  u32(value: number): this {
    this.bytes[this.offset++] = (value >>> 24) & 0xff;
    this.bytes[this.offset++] = (value >>> 16) & 0xff;
    this.bytes[this.offset++] = (value >>> 8) & 0xff;
    this.bytes[this.offset++] = value & 0xff;
    return this;
  }

  sized16(bytes: Uint8Array): this {
    return this.u16(bytes.length).put(bytes);
  }

  sized32(bytes: Uint8Array): this {
    return this.u32(bytes.length).put(bytes);
  }

  /** Writers are sized up front; finishing short means the size computation and layout disagree. */
  finish(): Uint8Array {
    if (this.offset !== this.bytes.length) {
      throw new Error(`ByteWriter: wrote ${this.offset} of ${this.bytes.length} bytes`);
    }
    return this.bytes;
  }
}
