/**
 * Group heads (migration 0002): the epoch each group's next commit must name. Written only by the
 * writer thread, inside the batch transaction that stores the commit's envelopes, so a head and
 * the envelopes it ordered are durable together or not at all.
 */
import type { Db } from './database';

export interface GroupHead {
  nextEpoch: number;
  lastSenderDeviceId: string;
  lastSenderMessageId: string;
}

export class GroupHeadRepository {
  private readonly headStmt;
  private readonly advanceStmt;

  constructor(db: Db) {
    this.headStmt = db.prepare(
      `SELECT next_epoch AS nextEpoch, last_sender_device_id AS lastSenderDeviceId, last_sender_message_id AS lastSenderMessageId
       FROM group_heads WHERE group_id = ?`,
    );
    this.advanceStmt = db.prepare(
      `INSERT INTO group_heads (group_id, next_epoch, last_sender_device_id, last_sender_message_id, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET next_epoch = excluded.next_epoch, last_sender_device_id = excluded.last_sender_device_id,
         last_sender_message_id = excluded.last_sender_message_id, updated_at = excluded.updated_at`,
    );
  }

  head(groupId: Buffer): GroupHead | undefined {
    return this.headStmt.get(groupId) as GroupHead | undefined;
  }

  /** Records an accepted commit: the group's next epoch, and who sent it (to recognise its retry). */
  advance(groupId: Buffer, nextEpoch: number, commit: { senderDeviceId: string; firstSenderMessageId: string }, now: number): void {
    this.advanceStmt.run(groupId, nextEpoch, commit.senderDeviceId, commit.firstSenderMessageId, now);
  }
}
