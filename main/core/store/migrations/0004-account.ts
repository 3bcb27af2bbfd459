import type { Migration } from './types';

/**
 * The profile's enrolment with its relay (who it is, the pinned directory key, its certificate
 * and its serialised device keys, one row), the encrypted pointer a received attachment is fetched
 * with and an optional image thumbnail, and the username of each contact.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'account',
  up(db) {
    db.exec(`
      CREATE TABLE account (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        user_id       TEXT NOT NULL,
        device_id     TEXT NOT NULL,
        username      TEXT NOT NULL,
        display_name  TEXT NOT NULL,
        relay_url     TEXT NOT NULL,
        directory_key BLOB NOT NULL,
        certificate   BLOB NOT NULL,
        device_keys   BLOB NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      ALTER TABLE attachments ADD COLUMN pointer TEXT;
      ALTER TABLE attachments ADD COLUMN thumbnail BLOB;
      ALTER TABLE contacts ADD COLUMN username TEXT;
    `);
  },
};
