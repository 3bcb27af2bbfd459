import type { Migration } from './types';

/**
 * Urgent messages: the flag the sender set, when the recipient acknowledged it (on the recipient's
 * side: stops the repeating alert; on the sender's: shows who acknowledged, and when), and when the
 * sender was told it had not arrived, so that warning is given once. The partial index finds the
 * few urgent messages by the sender's id (acknowledgements name them so) without a scan.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'urgent',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
      ALTER TABLE messages ADD COLUMN acknowledged_at INTEGER;
      ALTER TABLE messages ADD COLUMN undelivered_warned_at INTEGER;
      CREATE INDEX messages_urgent ON messages (sender_user_id, sender_message_id) WHERE urgent = 1;
    `);
  },
};
