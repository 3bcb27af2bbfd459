import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0008-disappearing', () => {
  it('adds an off timer to every version-7 conversation, keeping its messages', () => {
    ({ db } = databaseAt(7));
    db.exec(`
      INSERT INTO conversations VALUES ('direct:bob', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'direct:bob', 'in', 'bob', 'd1', 's1', 'text', 'obs stable', 'received', 1, 1);
    `);
    migrate(db, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare('SELECT disappear_seconds, disappear_set_at, disappear_set_by, disappear_since FROM conversations').all())
      .toEqual([{ disappear_seconds: 0, disappear_set_at: null, disappear_set_by: null, disappear_since: null }]);
    expect(db.prepare('SELECT body FROM messages').all()).toEqual([{ body: 'obs stable' }]);
    expect(() => db!.prepare("UPDATE conversations SET disappear_seconds = -1 WHERE id = 'direct:bob'").run()).toThrow(/CHECK/);
  });
});
