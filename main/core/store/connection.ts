// The typing shim must be visible to every tsconfig that compiles this file (tests, bench too).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./better-sqlite3-multiple-ciphers.d.ts" />
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync } from 'node:fs';
import { StoreError } from './errors';

/** The handle type shared by the encrypted driver and (in the benchmark only) plain better-sqlite3. */
export type SqliteHandle = Database.Database;
type Statement = Database.Statement<unknown[], unknown>;
export type SqlValue = string | number | bigint | Uint8Array | null;
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export const DB_KEY_BYTES = 32;
/** WAL pages after which a commit checkpoints, unless a checkpoint thread does it (checkpoint/). */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Opens (or creates) a SQLCipher v4 database keyed with a raw 256-bit key and applies the
 * connection settings every Wardline store relies on. Throws StoreError('wrong_key') when the key
 * does not decrypt an existing file; the handle is closed before throwing so no half-open
 * connection lingers.
 */
export function openEncryptedHandle(path: string, key: Uint8Array, create: boolean): SqliteHandle {
  if (key.length !== DB_KEY_BYTES) {
    throw new StoreError('invalid', `expected ${DB_KEY_BYTES}-byte database key, got ${key.length}`);
  }
  if (!create && !existsSync(path)) throw new StoreError('not_found', 'no database at this path');
  const db = new Database(path, { fileMustExist: !create });
  try {
    // SQLCipher v4 format (AES-256-CBC + HMAC-SHA512 per page), so the file can be inspected with
    // standard SQLCipher tools during an incident, and because it authenticates every page.
    db.pragma("cipher='sqlcipher'");
    db.pragma('legacy=4');
    if (db.pragma('cipher', { simple: true }) !== 'sqlcipher') {
      throw new StoreError('not_encrypted', 'this SQLite build cannot encrypt; refusing to open');
    }
    const literal = rawKeyLiteral(key);
    try {
      // The x'..' form is SQLCipher's raw-key syntax: the key is already 256 random bits, so
      // SQLCipher's PBKDF2 (hundreds of ms) would add nothing. Passed as a Buffer we can wipe,
      // not as a JS string that would linger in the heap.
      (db as unknown as { key(k: Buffer): number }).key(literal);
    } finally {
      literal.fill(0);
    }
    verifyKey(db);
    applyConnectionSettings(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Settings applied to every store connection, encrypted or (benchmark) plain. */
export function applyConnectionSettings(db: SqliteHandle): void {
  if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
    throw new StoreError('invalid', 'could not switch the database to WAL');
  }
  // FULL: a received message is acked to the relay right after commit, so a commit must survive
  // power loss too, not only a process crash; otherwise an acked message could vanish.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Freed pages are zeroed so deleted (e.g. expired) messages do not linger inside the file.
  db.pragma('secure_delete = ON');
  // Sorts and temp indexes stay in memory: SQLite's temp files would hold plaintext pages.
  db.pragma('temp_store = MEMORY');
  // Every page that leaves or enters SQLite's cache goes through AES + HMAC-SHA512 (~20 µs per
  // 4 KiB page measured here), so fewer page reads and rewrites are what keep encryption cheap:
  // a 32 MiB cache, and (when no checkpoint thread does it, see checkpoint/) checkpoints every
  // ~40 MiB of WAL so hot pages are copied back once rather than many times.
  db.pragma('cache_size = -32768');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  // Above the checkpoint thread's rewind point (checkpoint/loop.ts), so a rewound WAL is reused,
  // not truncated: truncating a long WAL made the first commit after the rewind take ~40 ms.
  db.pragma('journal_size_limit = 67108864');
}

function verifyKey(db: SqliteHandle): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new StoreError('wrong_key', 'the database key does not open this file');
    }
    throw e;
  }
}

const HEX = '0123456789abcdef';

/** Builds x'<64 hex>' in a Buffer, byte by byte, so the key never becomes an immutable string. */
function rawKeyLiteral(key: Uint8Array): Buffer {
  const out = Buffer.alloc(key.length * 2 + 3);
  out[0] = 0x78; // x
  out[1] = 0x27; // '
  key.forEach((b, i) => {
    out[2 + 2 * i] = HEX.charCodeAt(b >> 4);
    out[3 + 2 * i] = HEX.charCodeAt(b & 15);
  });
  out[out.length - 1] = 0x27;
  return out;
}

/**
 * One open database plus its prepared-statement cache. Every repository goes through `stmt()`,
 * so after close() every API call fails with StoreError('locked') instead of touching a handle.
 */
export class Connection {
  #db: SqliteHandle | null;
  readonly #stmts = new Map<string, Statement>();

  constructor(db: SqliteHandle) {
    this.#db = db;
  }

  get isOpen(): boolean {
    return this.#db !== null;
  }

  get handle(): SqliteHandle {
    if (!this.#db) throw new StoreError('locked', 'the store is closed; unlock the profile again');
    return this.#db;
  }

  assertOpen(): void {
    void this.handle;
  }

  private stmt(sql: string): Statement {
    const db = this.handle;
    let s = this.#stmts.get(sql);
    if (!s) {
      s = db.prepare(sql) as Statement;
      this.#stmts.set(sql, s);
    }
    return s;
  }

  get<R>(sql: string, ...params: SqlValue[]): R | undefined {
    return this.stmt(sql).get(...params) as R | undefined;
  }

  all<R>(sql: string, ...params: SqlValue[]): R[] {
    return this.stmt(sql).all(...params) as R[];
  }

  run(sql: string, ...params: SqlValue[]): RunResult {
    return this.stmt(sql).run(...params);
  }

  /** IMMEDIATE so a write transaction never fails half-way on a lock upgrade; nested calls nest. */
  tx<T>(fn: () => T): T {
    return this.handle.transaction(fn).immediate();
  }

  close(): void {
    const db = this.#db;
    if (!db) return;
    this.#stmts.clear();
    this.#db = null;
    db.close();
  }
}
