import type { SqliteHandle } from '../connection';
import { StoreError } from '../errors';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-message-search';
import { migration0003 } from './0003-access-log';
import { migration0004 } from './0004-account';
import { migration0005 } from './0005-own-message-index';
import { migration0006 } from './0006-urgent';
import { migration0007 } from './0007-groups';
import { migration0008 } from './0008-disappearing';
import type { Migration } from './types';

export type { Migration } from './types';

/** In order; a new migration is a new numbered file appended here, never an edit of an old one. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008];
export const LATEST_VERSION = MIGRATIONS.length;

export function schemaVersion(db: SqliteHandle): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: latest). Each step commits with its version number,
 * so an interrupted run resumes where it stopped. A database newer than this code is refused:
 * guessing at a future schema could corrupt it.
 */
export function migrate(db: SqliteHandle, target: number = LATEST_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new StoreError('too_new', `database schema ${current} is newer than this app (${LATEST_VERSION})`);
  }
  if (target < current || target > LATEST_VERSION) {
    throw new StoreError('invalid', `cannot migrate from ${current} to ${target}`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
