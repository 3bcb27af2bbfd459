import type { Migration } from './types';

/**
 * Disappearing messages per conversation (issue 11): the timer in seconds (0 = off), when and by
 * whom it was last set (the newest setting wins on every device: `set_at`, then `set_by`, decide),
 * and since when it has been on: messages from before that keep the organisation's retention only.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'disappearing',
  up(db) {
    db.exec(`
      ALTER TABLE conversations ADD COLUMN disappear_seconds INTEGER NOT NULL DEFAULT 0 CHECK (disappear_seconds >= 0);
      ALTER TABLE conversations ADD COLUMN disappear_set_at INTEGER;
      ALTER TABLE conversations ADD COLUMN disappear_set_by TEXT;
      ALTER TABLE conversations ADD COLUMN disappear_since INTEGER;
    `);
  },
};
