/**
 * better-sqlite3 returns BLOBs as Buffers. Callers get plain Uint8Array views so that equality,
 * structured cloning to a worker and the crypto layer (which knows nothing of Buffer) all behave
 * the same.
 */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected a BLOB column');
}

export function toBytesOrNull(value: unknown): Uint8Array | null {
  return value === null || value === undefined ? null : toBytes(value);
}
