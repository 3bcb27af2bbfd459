/**
 * Per-group heads for group.commit (issue 10). The relay orders membership changes per group by
 * accepting one commit per epoch; the head is the epoch the next commit must name. The last
 * accepted commit's sender device and first sender message id are kept with it, so that a retry
 * of that commit after a lost acknowledgement is recognised instead of refused as stale.
 * group_id is the client's random 32-byte group id: the relay learns nothing else about a group.
 */
import type { Database } from 'better-sqlite3';

export const version = 2;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE group_heads (
      group_id BLOB PRIMARY KEY CHECK (length(group_id) = 32),
      next_epoch INTEGER NOT NULL,
      last_sender_device_id TEXT NOT NULL,
      last_sender_message_id TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
  `);
}
