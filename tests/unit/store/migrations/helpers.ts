import { join } from 'node:path';
import { openEncryptedHandle } from '../../../../main/core/store/connection';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate } from '../../../../main/core/store/migrations';
import { newKey, tempDir } from '../helpers';

/** An encrypted database built up to `version` with the real migration files, nothing later. */
export function databaseAt(version: number): { db: SqliteHandle; path: string; key: Uint8Array } {
  const path = join(tempDir(), 'store.db');
  const key = newKey();
  const db = openEncryptedHandle(path, key, true);
  migrate(db, version);
  return { db, path, key };
}

export function tableNames(db: SqliteHandle): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table') ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}
