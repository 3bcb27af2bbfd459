import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0006-urgent', () => {
  it('adds the urgent flag (0 for version-5 messages), acknowledgement and warning times, keeping existing rows', () => {
    ({ db } = databaseAt(5));
    db.exec(`
      INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'c1', 'in', 'bob', 'd1', 's1', 'text', 'sats 88%', 'received', 1, 1);
    `);
    migrate(db, 6);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare('SELECT body, urgent, acknowledged_at, undelivered_warned_at FROM messages').all())
      .toEqual([{ body: 'sats 88%', urgent: 0, acknowledged_at: null, undelivered_warned_at: null }]);
    expect(() => db!.prepare("UPDATE messages SET urgent = 2 WHERE id = 'm1'").run()).toThrow(/CHECK/);
    const plan = db.prepare(
      "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE urgent = 1 AND direction = 'in' AND sender_user_id = ? AND sender_message_id = ?",
    ).all('bob', 's1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/messages_urgent/);
  });
});
