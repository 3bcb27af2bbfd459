import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0005-own-message-index', () => {
  it('indexes our own messages by sender message id, keeping version-4 rows, and receipts use the index', () => {
    ({ db } = databaseAt(4));
    db.exec(`
      INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'c1', 'out', 'me', 'd1', 'm1', 'text', 'cannula in', 'sent', 1, 1);
    `);
    migrate(db, 5);
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare("SELECT body, status FROM messages").all()).toEqual([{ body: 'cannula in', status: 'sent' }]);
    const plan = db.prepare(
      "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE direction = 'out' AND sender_user_id = ? AND sender_message_id = ?",
    ).all('me', 'm1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/messages_own_by_sender_id/);
  });
});
