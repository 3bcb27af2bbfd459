import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteHandle } from '../../../../main/core/store/connection';
import { migrate, schemaVersion } from '../../../../main/core/store/migrations';
import { databaseAt, tableNames } from './helpers';

let db: SqliteHandle | undefined;
afterEach(() => db?.close());

describe('migration 0001-initial', () => {
  it('turns an empty database (version 0) into version 1 with every core table', () => {
    ({ db } = databaseAt(0));
    expect(schemaVersion(db)).toBe(0);
    expect(tableNames(db)).toEqual([]);
    migrate(db, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual([
      'attachment_blobs', 'attachments', 'contact_devices', 'contacts', 'conversation_members', 'conversations',
      'identity', 'messages', 'outbox', 'prekeys', 'received_markers', 'sessions', 'settings',
    ]);
  });

  it('keeps rows written at version 1 consistent: cascades and CHECK constraints hold', () => {
    ({ db } = databaseAt(1));
    db.exec(`
      INSERT INTO contacts VALUES ('bob', 'Bob', NULL, NULL, 1, 1);
      INSERT INTO contact_devices VALUES ('bob', 1, x'01', 'unverified', 1, 1);
      INSERT INTO conversations VALUES ('c1', 'direct', 'Bob', 1, 1);
      INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
        kind, body, status, sent_at, sort_at) VALUES ('m1', 'c1', 'in', 'bob', 1, 's1', 'text', 'hi', 'received', 5, 5);
      INSERT INTO outbox (kind, message_id, recipient_user_id, next_attempt_at, created_at) VALUES ('message', 'm1', 'bob', 1, 1);
      INSERT INTO attachments VALUES ('a1', 'm1', 'scan.pdf', 'application/pdf', 3, x'00', 'stored', 1);
      INSERT INTO attachment_blobs VALUES ('a1', x'010203');
    `);
    expect(() => db!.exec("INSERT INTO contact_devices VALUES ('bob', 2, x'01', 'trusted-ish', 1, 1)")).toThrow(/CHECK/);
    db.exec("DELETE FROM conversations WHERE id = 'c1'");
    const count = (t: string) => (db!.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([count('messages'), count('outbox'), count('attachments'), count('attachment_blobs')]).toEqual([0, 0, 0, 0]);
    db.exec("DELETE FROM contacts WHERE user_id = 'bob'");
    expect(count('contact_devices')).toBe(0);
  });
});
