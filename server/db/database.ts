/**
 * Opens the relay's SQLite database in the data folder and brings its schema up to date.
 *
 * Durability: WAL journal. With synchronous=FULL (the default) every commit is fsynced before
 * better-sqlite3 returns, so an envelope the relay has acknowledged survives a process kill and a
 * power cut. synchronous=NORMAL (--sync normal) skips that fsync: in WAL mode a commit is still
 * written to the OS before returning, so it survives SIGKILL of the relay, but the last commits may
 * be lost if the machine itself loses power. Envelope writes are group-committed (one transaction
 * per event-loop turn, see envelope-writer.ts), so FULL costs one fsync per batch, not per message.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as m0001 from './migrations/0001-initial';
import * as m0002 from './migrations/0002-group-heads';

export type Db = Database.Database;

const migrations = [m0001, m0002];

export function ensureDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** autoCheckpoint false: the relay checkpoints on its own thread (writer/checkpointer.ts). */
export function openDatabase(dataDir: string, sync: 'full' | 'normal', options: { autoCheckpoint?: boolean } = {}): Db {
  ensureDataDir(dataDir);
  const file = path.join(dataDir, 'relay.db');
  const db = new Database(file);
  // Envelope metadata (who talks to whom, when) is sensitive even though content is not readable.
  if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
  // Several connections write this file (the relay's main, writer and checkpoint threads, the
  // CLI): wait for the lock rather than fail. Set first, so even the journal-mode switch waits.
  // Every read-then-write transaction must use .immediate(): a deferred one that read first
  // cannot wait for the lock and fails with SQLITE_BUSY instead.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  for (const migration of migrations) {
    // Read the version inside the write transaction: the CLI and the relay may start together.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (migration.version <= current) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

/** better-sqlite3 binds Buffers; Uint8Arrays from callers are wrapped without copying. */
export function blob(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
