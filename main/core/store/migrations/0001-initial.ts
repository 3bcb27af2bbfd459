import type { Migration } from './types';

/**
 * The profile's own keys, its contacts and their devices, conversations, messages with their
 * dedupe markers, ratchet sessions, the outbox, attachments and settings. Times are Unix ms.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE identity (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        user_id          TEXT NOT NULL,
        device_id        TEXT NOT NULL,
        registration_id  INTEGER NOT NULL,
        identity_public  BLOB NOT NULL,
        identity_private BLOB NOT NULL,
        created_at       INTEGER NOT NULL
      );

      CREATE TABLE prekeys (
        kind        TEXT NOT NULL CHECK (kind IN ('signed', 'one_time', 'kyber', 'kyber_last_resort')),
        key_id      INTEGER NOT NULL,
        public_key  BLOB NOT NULL,
        private_key BLOB NOT NULL,
        signature   BLOB,
        created_at  INTEGER NOT NULL,
        used_at     INTEGER,
        PRIMARY KEY (kind, key_id)
      ) WITHOUT ROWID;

      CREATE TABLE contacts (
        user_id      TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        title        TEXT,
        department   TEXT,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      );

      CREATE TABLE contact_devices (
        user_id       TEXT NOT NULL REFERENCES contacts(user_id) ON DELETE CASCADE,
        device_id     TEXT NOT NULL,
        identity_key  BLOB NOT NULL,
        trust         TEXT NOT NULL CHECK (trust IN ('unverified', 'verified', 'changed')),
        first_seen_at INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (user_id, device_id)
      ) WITHOUT ROWID;

      CREATE TABLE conversations (
        id               TEXT PRIMARY KEY,
        kind             TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
        title            TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL
      );
      CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, id);

      CREATE TABLE conversation_members (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id         TEXT NOT NULL,
        PRIMARY KEY (conversation_id, user_id)
      ) WITHOUT ROWID;

      -- seq is the rowid: stable integer for cursors and for the FTS index; id is the app's id.
      CREATE TABLE messages (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        conversation_id   TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        direction         TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        sender_user_id    TEXT NOT NULL,
        sender_device_id  TEXT NOT NULL,
        sender_message_id TEXT NOT NULL,
        kind              TEXT NOT NULL CHECK (kind IN ('text', 'system')),
        body              TEXT NOT NULL,
        status            TEXT NOT NULL
                          CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'received')),
        sent_at           INTEGER NOT NULL,
        received_at       INTEGER,
        sort_at           INTEGER NOT NULL,
        read_at           INTEGER
      );
      CREATE INDEX messages_page ON messages (conversation_id, sort_at DESC, seq DESC);
      CREATE INDEX messages_unread ON messages (conversation_id)
        WHERE direction = 'in' AND read_at IS NULL;

      -- Survives deletion of the message itself, so a re-delivered envelope of an expired
      -- message is still recognised as a duplicate.
      CREATE TABLE received_markers (
        sender_user_id    TEXT NOT NULL,
        sender_device_id  TEXT NOT NULL,
        sender_message_id TEXT NOT NULL,
        message_id        TEXT,
        received_at       INTEGER NOT NULL,
        PRIMARY KEY (sender_user_id, sender_device_id, sender_message_id)
      ) WITHOUT ROWID;

      CREATE TABLE sessions (
        user_id    TEXT NOT NULL,
        device_id  TEXT NOT NULL,
        record     BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, device_id)
      ) WITHOUT ROWID;

      CREATE TABLE outbox (
        id                  INTEGER PRIMARY KEY,
        kind                TEXT NOT NULL,
        message_id          TEXT REFERENCES messages(id) ON DELETE CASCADE,
        recipient_user_id   TEXT NOT NULL,
        recipient_device_id TEXT,
        payload             BLOB,
        attempts            INTEGER NOT NULL DEFAULT 0,
        next_attempt_at     INTEGER NOT NULL,
        last_error          TEXT,
        created_at          INTEGER NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id);
      CREATE INDEX outbox_by_message ON outbox (message_id);

      CREATE TABLE attachments (
        id         TEXT PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        file_name  TEXT NOT NULL,
        mime_type  TEXT NOT NULL,
        size       INTEGER NOT NULL,
        sha256     BLOB NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'failed')),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX attachments_by_message ON attachments (message_id);

      -- Blob bytes live inside the encrypted database: a plaintext file on disk is forbidden.
      -- Separate table so listing metadata never pages in megabytes of content.
      CREATE TABLE attachment_blobs (
        attachment_id TEXT PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
        data          BLOB NOT NULL
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
