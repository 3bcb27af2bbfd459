import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0007-groups', () => {
  it('adds the group tables beside version-6 data, and they cascade with the conversation and the message', () => {
    ({ db } = databaseAt(6));
    db.exec(`
      INSERT INTO conversations VALUES ('group:aa', 'group', 'Ward 7', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'group:aa', 'out', 'me', 'd1', 's1', 'text', 'handover 8pm', 'sent', 1, 1);
    `);
    migrate(db, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT body FROM messages').all()).toEqual([{ body: 'handover 8pm' }]);
    const gid = Buffer.alloc(32, 7);
    db.prepare("INSERT INTO groups VALUES ('group:aa', ?, ?, NULL, 1)").run(gid, Buffer.from([1]));
    db.prepare('INSERT INTO own_sender_keys VALUES (?, ?, 1)').run(gid, Buffer.from([2]));
    db.prepare("INSERT INTO sender_keys VALUES (?, 'bob', 'd2', 5, 0, ?, 1)").run(gid, Buffer.from([3]));
    db.prepare("INSERT INTO sender_key_shares VALUES (?, 5, 'bob', 'd2')").run(gid);
    db.prepare("INSERT INTO message_receipts VALUES ('m1', 'bob', 2, NULL)").run();
    expect(() => db!.prepare("INSERT INTO groups VALUES ('group:bb', ?, ?, NULL, 1)").run(gid, Buffer.from([1]))).toThrow(/UNIQUE|FOREIGN/);

    db.exec("DELETE FROM messages WHERE id = 'm1'");
    expect(db.prepare('SELECT count(*) AS n FROM message_receipts').get()).toEqual({ n: 0 });
    db.exec("DELETE FROM conversations WHERE id = 'group:aa'");
    for (const table of ['groups', 'own_sender_keys', 'sender_keys', 'sender_key_shares']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  });
});
