import type { Migration } from './types';

/**
 * Team and rota groups (issue 10). `groups` ties a group conversation to its membership record:
 * the serialised, signed-change-checked GroupState (crypto/group-state.ts) and whether this
 * clinician has left or been removed. Sender keys: this device's own chain per group
 * (`own_sender_keys`), the chains of the other members' devices (`sender_keys`, one per chain id,
 * so a rotated key never overwrites an older one still owed messages), and which devices have
 * been sent our current chain (`sender_key_shares`). `message_receipts` keeps, per group message
 * we sent, when each member's workstation got it and read it ("read by 12 of 15"); it cascades
 * with the message, so retention and deletion take it too.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE groups (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
        group_id        BLOB NOT NULL UNIQUE,
        state           BLOB NOT NULL,
        left_at         INTEGER,
        updated_at      INTEGER NOT NULL
      );

      CREATE TABLE own_sender_keys (
        group_id   BLOB PRIMARY KEY REFERENCES groups(group_id) ON DELETE CASCADE,
        record     BLOB NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE sender_keys (
        group_id   BLOB NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
        user_id    TEXT NOT NULL,
        device_id  TEXT NOT NULL,
        chain_id   INTEGER NOT NULL,
        epoch      INTEGER NOT NULL,
        record     BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id, device_id, chain_id)
      ) WITHOUT ROWID;

      CREATE TABLE sender_key_shares (
        group_id  BLOB NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
        chain_id  INTEGER NOT NULL,
        user_id   TEXT NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (group_id, chain_id, user_id, device_id)
      ) WITHOUT ROWID;

      CREATE TABLE message_receipts (
        message_id   TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id      TEXT NOT NULL,
        delivered_at INTEGER,
        read_at      INTEGER,
        PRIMARY KEY (message_id, user_id)
      ) WITHOUT ROWID;
    `);
  },
};
