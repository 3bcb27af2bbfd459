/**
 * Per-device envelope queues. seq is the global insertion order, so ordering by seq within one
 * recipient is the order the relay accepted them in. Every query names the recipient device, so a
 * device can only ever read or acknowledge its own queue.
 */
import type { Db } from './database';

export interface NewEnvelope {
  recipientDeviceId: string;
  senderDeviceId: string;
  senderUserId: string;
  senderMessageId: string;
  sentAt: number;
  payload: Buffer;
}

export interface QueuedEnvelope {
  seq: number;
  senderDeviceId: string;
  senderUserId: string;
  senderMessageId: string;
  sentAt: number;
  payload: Buffer;
}

export class EnvelopeRepository {
  private readonly insertStmt;
  private readonly pendingStmt;
  private readonly ackStmt;
  private readonly statsStmt;

  constructor(private readonly db: Db) {
    // OR IGNORE on the (sender, recipient, senderMessageId) unique index is the dedupe.
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO envelopes (recipient_device_id, sender_device_id, sender_user_id, sender_message_id, sent_at, size, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.pendingStmt = db.prepare(
      `SELECT seq, sender_device_id AS senderDeviceId, sender_user_id AS senderUserId, sender_message_id AS senderMessageId,
              sent_at AS sentAt, payload
       FROM envelopes WHERE recipient_device_id = ? AND payload IS NOT NULL AND seq > ? ORDER BY seq LIMIT ?`,
    );
    // The content is erased on acknowledgement; the ids stay as a tombstone for dedupe.
    this.ackStmt = db.prepare(
      `UPDATE envelopes SET payload = NULL, acked_at = ?
       WHERE seq = ? AND recipient_device_id = ? AND payload IS NOT NULL RETURNING size`,
    );
    this.statsStmt = db.prepare(
      `SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM envelopes
       WHERE recipient_device_id = ? AND payload IS NOT NULL`,
    );
  }

  /** Returns the new seq, or undefined when this message was stored before (a duplicate). */
  insert(envelope: NewEnvelope): number | undefined {
    const result = this.insertStmt.run(
      envelope.recipientDeviceId,
      envelope.senderDeviceId,
      envelope.senderUserId,
      envelope.senderMessageId,
      envelope.sentAt,
      envelope.payload.length,
      envelope.payload,
    );
    return result.changes === 1 ? Number(result.lastInsertRowid) : undefined;
  }

  exists(senderDeviceId: string, recipientDeviceId: string, senderMessageId: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM envelopes WHERE sender_device_id = ? AND recipient_device_id = ? AND sender_message_id = ?')
        .get(senderDeviceId, recipientDeviceId, senderMessageId) !== undefined
    );
  }

  pending(recipientDeviceId: string, afterSeq: number, limit: number): QueuedEnvelope[] {
    return this.pendingStmt.all(recipientDeviceId, afterSeq, limit) as QueuedEnvelope[];
  }

  /** Acknowledges one envelope of this recipient; returns its size, or undefined if not pending. */
  ack(recipientDeviceId: string, seq: number, now: number): number | undefined {
    const row = this.ackStmt.get(now, seq, recipientDeviceId) as { size: number } | undefined;
    return row?.size;
  }

  stats(recipientDeviceId: string): { count: number; bytes: number } {
    return this.statsStmt.get(recipientDeviceId) as { count: number; bytes: number };
  }

  /** Drops the undelivered queue of a device that can no longer receive (revoked). */
  deletePendingFor(recipientDeviceId: string): number {
    return this.db.prepare('DELETE FROM envelopes WHERE recipient_device_id = ? AND payload IS NOT NULL').run(recipientDeviceId).changes;
  }

  /**
   * Retention for envelopes nobody fetched: the payload is erased and the row kept as a tombstone,
   * so a resend of the same message id within the dedupe window is still recognised.
   */
  expireUndelivered(sentBefore: number, now: number, limit = 10_000): number {
    return this.db
      .prepare('UPDATE envelopes SET payload = NULL, acked_at = ? WHERE seq IN (SELECT seq FROM envelopes WHERE payload IS NOT NULL AND sent_at < ? LIMIT ?)')
      .run(now, sentBefore, limit).changes;
  }

  /** Forgets the ids of envelopes acknowledged before the dedupe window (bounded work per call). */
  deleteTombstones(ackedBefore: number, limit = 10_000): number {
    return this.db
      .prepare('DELETE FROM envelopes WHERE seq IN (SELECT seq FROM envelopes WHERE acked_at IS NOT NULL AND acked_at < ? LIMIT ?)')
      .run(ackedBefore, limit).changes;
  }
}
