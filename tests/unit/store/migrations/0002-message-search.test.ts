import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

const insertMessage = (d: SqliteHandle, id: string, body: string) =>
  d.prepare(`INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
      kind, body, status, sent_at, sort_at) VALUES (?, 'c1', 'in', 'bob', 1, ?, 'text', ?, 'received', 1, 1)`).run(id, `s-${id}`, body);

const search = (d: SqliteHandle, q: string) =>
  (d.prepare('SELECT m.id FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid WHERE messages_fts MATCH ? ORDER BY m.id').all(q) as { id: string }[]).map((r) => r.id);

describe('migration 0002-message-search', () => {
  it('indexes the messages that existed at version 1, and keeps every message', () => {
    ({ db } = databaseAt(1));
    db.exec("INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1)");
    insertMessage(db, 'm1', 'Potassium result for bed 4');
    insertMessage(db, 'm2', 'Café break, back in ten');
    migrate(db, 2);
    expect(schemaVersion(db)).toBe(2);
    expect((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(2);
    expect(search(db, 'potassium')).toEqual(['m1']);
    expect(search(db, 'cafe')).toEqual(['m2']); // remove_diacritics
  });

  it('keeps the index in step with later inserts, edits and deletes through its triggers', () => {
    ({ db } = databaseAt(1));
    db.exec("INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1)");
    migrate(db, 2);
    insertMessage(db, 'm3', 'sodium low');
    expect(search(db, 'sodium')).toEqual(['m3']);
    db.exec("UPDATE messages SET body = 'sodium normal now' WHERE id = 'm3'");
    expect(search(db, 'low')).toEqual([]);
    expect(search(db, 'normal')).toEqual(['m3']);
    db.exec("DELETE FROM messages WHERE id = 'm3'");
    expect(search(db, 'sodium')).toEqual([]);
    // FTS5 raises SQLITE_CORRUPT_VTAB here if the index and the messages table disagree.
    expect(() => db!.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")).not.toThrow();
  });
});
