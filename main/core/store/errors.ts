/**
 * Why a store operation failed, as a code the caller can branch on. Messages never contain row
 * data: errors travel to logs and across the worker boundary, and must not carry patient content.
 */
export type StoreErrorCode =
  | 'locked' // the store was closed (profile locked): its key and handles are gone
  | 'wrong_key' // the file exists but this key does not decrypt it
  | 'not_encrypted' // the SQLite build in use cannot encrypt: refuse rather than write plaintext
  | 'too_new' // the database was written by a newer app version
  | 'not_found'
  | 'invalid'; // a caller passed something malformed (bad cursor, bad length)

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
