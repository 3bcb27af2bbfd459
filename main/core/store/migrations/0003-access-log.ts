import type { Migration } from './types';

/**
 * Per-profile audit log (unlocks, failed attempts before an unlock, exports). Inside the encrypted
 * database because entries name who did what: they are the clinician's data too.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'access-log',
  up(db) {
    db.exec(`
      CREATE TABLE access_log (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        event  TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX access_log_by_time ON access_log (at DESC, id DESC);
    `);
  },
};
