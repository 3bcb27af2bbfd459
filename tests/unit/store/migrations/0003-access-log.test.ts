import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0003-access-log', () => {
  it('adds the audit log to a version-2 database without touching its messages or index', () => {
    ({ db } = databaseAt(2));
    db.exec(`
      INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'c1', 'in', 'bob', 1, 's1', 'text', 'ward round at nine', 'received', 1, 1);
      INSERT INTO settings VALUES ('theme', '"dark"');
    `);
    migrate(db, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare("SELECT id, body FROM messages").all()).toEqual([{ id: 'm1', body: 'ward round at nine' }]);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'theme'").get()).toEqual({ value: '"dark"' });
    expect(db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'round'").all()).toHaveLength(1);
    db.prepare('INSERT INTO access_log (at, event, detail) VALUES (?, ?, ?)').run(5, 'unlock', null);
    expect(db.prepare('SELECT at, event FROM access_log').all()).toEqual([{ at: 5, event: 'unlock' }]);
  });
});
