import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../main/core/store';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { LATEST_VERSION, migrate, MIGRATIONS, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => {
  if (db?.open) db.close();
});

describe('migration runner', () => {
  it('numbers migrations 1..n in order, one file per step', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('rolls a failing step back completely and leaves the previous version', () => {
    ({ db } = databaseAt(1));
    db.exec('CREATE TABLE messages_fts (x)'); // makes 0002 fail half-way
    expect(() => migrate(db!)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    const triggers = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").all();
    expect(triggers).toEqual([]);
  });

  it('refuses a database written by a newer app instead of guessing at its schema', () => {
    const built = databaseAt(LATEST_VERSION);
    built.db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    built.db.close();
    expect(() => openStore(built.path, built.key)).toThrow(expect.objectContaining({ code: 'too_new' }));
  });

  it('opening a store migrates an older database to the latest version', () => {
    const built = databaseAt(1);
    built.db.close();
    const store = openStore(built.path, built.key);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    store.close();
  });
});
