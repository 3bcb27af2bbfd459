import type { Migration } from './types';

/**
 * Full-text search over message bodies. External-content FTS5 (content='messages'): the text is
 * stored once, in messages, and snippet() reads it from there. Triggers keep the index in step
 * inside the same transaction as the write. Existing messages are indexed by 'rebuild'.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'message-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        body,
        content = 'messages',
        content_rowid = 'seq',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
      END;
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
    `);
  },
};
