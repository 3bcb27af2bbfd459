import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt, tableNames } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0004-account', () => {
  it('adds the account table and the new attachment and contact columns, keeping version-3 rows', () => {
    ({ db } = databaseAt(3));
    db.exec(`
      INSERT INTO contacts VALUES ('bob', 'Dr Bob', 'Registrar', 'ICU', 1, 1);
      INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'c1', 'in', 'bob', 'd1', 's1', 'text', 'see scan', 'received', 1, 1);
      INSERT INTO attachments VALUES ('a1', 'm1', 'scan.pdf', 'application/pdf', 3, x'00', 'stored', 1);
      INSERT INTO attachment_blobs VALUES ('a1', x'010203');
      INSERT INTO access_log (at, event) VALUES (1, 'unlock');
    `);
    migrate(db, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(tableNames(db)).toContain('account');
    expect(db.prepare("SELECT display_name, title, username FROM contacts").all()).toEqual([{ display_name: 'Dr Bob', title: 'Registrar', username: null }]);
    expect(db.prepare("SELECT file_name, pointer, thumbnail FROM attachments").all()).toEqual([{ file_name: 'scan.pdf', pointer: null, thumbnail: null }]);
    expect(db.prepare("SELECT data FROM attachment_blobs").get()).toEqual({ data: Buffer.from([1, 2, 3]) });
    expect(db.prepare("SELECT count(*) AS n FROM access_log").get()).toEqual({ n: 1 });
    expect(db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'scan'").all()).toHaveLength(1);
    expect(() => db!.exec(`INSERT INTO account VALUES (2, 'u', 'd', 'n', 'N', 'https://relay', x'00', x'00', x'00', 1, 1)`)).toThrow(/CHECK/);
  });
});
