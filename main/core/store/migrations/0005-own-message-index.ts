import type { Migration } from './types';

/** Receipts name our messages by the id we gave them: find those without scanning every message. */
export const migration0005: Migration = {
  version: 5,
  name: 'own-message-index',
  up(db) {
    db.exec(`CREATE INDEX messages_own_by_sender_id ON messages (sender_user_id, sender_message_id) WHERE direction = 'out';`);
  },
};
