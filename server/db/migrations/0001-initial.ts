/**
 * The relay's first schema. STRICT tables so a wrong type is an error, not a silent coercion.
 * Envelopes are soft-deleted: on acknowledgement the payload is erased (the content is gone) but
 * the ids stay for the dedupe window, so a late resend of a delivered message is not stored again.
 */
import type { Database } from 'better-sqlite3';

export const version = 1;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      display_name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      disabled_at INTEGER
    ) STRICT;

    -- Only a hash of each code is kept: a copy of the database does not let anyone enrol.
    CREATE TABLE enrolment_codes (
      code_hash BLOB PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER,
      device_id TEXT
    ) STRICT;

    CREATE TABLE devices (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      identity_key BLOB NOT NULL UNIQUE,
      certificate BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER,
      revoked_at INTEGER
    ) STRICT;
    CREATE INDEX devices_user ON devices(user_id);

    -- The current signed prekey ('ec') and last-resort PQ prekey ('pq_last_resort') per device.
    CREATE TABLE signed_prekeys (
      device_id TEXT NOT NULL REFERENCES devices(id),
      kind TEXT NOT NULL CHECK (kind IN ('ec', 'pq_last_resort')),
      key_id INTEGER NOT NULL,
      public_key BLOB NOT NULL,
      signature BLOB NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, kind)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE one_time_prekeys (
      device_id TEXT NOT NULL REFERENCES devices(id),
      kind TEXT NOT NULL CHECK (kind IN ('ec', 'pq')),
      key_id INTEGER NOT NULL,
      public_key BLOB NOT NULL,
      signature BLOB,
      PRIMARY KEY (device_id, kind, key_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE envelopes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      recipient_device_id TEXT NOT NULL,
      sender_device_id TEXT NOT NULL,
      sender_user_id TEXT NOT NULL,
      sender_message_id TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      size INTEGER NOT NULL,
      payload BLOB,
      acked_at INTEGER
    ) STRICT;
    CREATE UNIQUE INDEX envelopes_dedupe ON envelopes(sender_device_id, recipient_device_id, sender_message_id);
    CREATE INDEX envelopes_pending ON envelopes(recipient_device_id, seq) WHERE payload IS NOT NULL;
    CREATE INDEX envelopes_acked ON envelopes(acked_at) WHERE acked_at IS NOT NULL;

    CREATE TABLE attachments (
      id TEXT PRIMARY KEY,
      uploader_device_id TEXT NOT NULL,
      size INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'complete')),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX attachments_expiry ON attachments(expires_at);

    CREATE TABLE attachment_recipients (
      attachment_id TEXT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
      device_id TEXT NOT NULL,
      fetched_at INTEGER,
      PRIMARY KEY (attachment_id, device_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX attachment_recipients_device ON attachment_recipients(device_id);

    -- Written by the CLI, polled by the running relay: how a revocation reaches live sockets.
    CREATE TABLE admin_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('device_revoked', 'user_disabled')),
      target TEXT NOT NULL,
      at INTEGER NOT NULL
    ) STRICT;
  `);
}
