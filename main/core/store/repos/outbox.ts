import { toBytesOrNull } from '../bytes';
import type { Connection } from '../connection';
import type { NewOutboxEntry, OutboxEntry } from '../types';

interface Row {
  id: number;
  kind: string;
  message_id: string | null;
  recipient_user_id: string;
  recipient_device_id: string | null;
  payload: Uint8Array | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
}

const fromRow = (r: Row): OutboxEntry => ({
  id: r.id,
  kind: r.kind,
  messageId: r.message_id,
  recipientUserId: r.recipient_user_id,
  recipientDeviceId: r.recipient_device_id,
  payload: toBytesOrNull(r.payload),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
});

/** Work still to send. Entries are removed only after the relay acked them. */
export class OutboxRepo {
  constructor(private readonly c: Connection) {}

  enqueue(e: NewOutboxEntry): number {
    const res = this.c.run(
      `INSERT INTO outbox (kind, message_id, recipient_user_id, recipient_device_id, payload, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      e.kind, e.messageId ?? null, e.recipientUserId, e.recipientDeviceId ?? null, e.payload ?? null, e.nextAttemptAt, e.createdAt,
    );
    return Number(res.lastInsertRowid);
  }

  /** Entries whose next attempt is due, oldest first. */
  due(now: number, limit = 100): OutboxEntry[] {
    return this.c.all<Row>('SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?', now, limit).map(fromRow);
  }

  /** Everything waiting, in the order it was queued: the order per recipient device that sending keeps. */
  pending(limit = 1000): OutboxEntry[] {
    return this.c.all<Row>('SELECT * FROM outbox ORDER BY id LIMIT ?', limit).map(fromRow);
  }

  get(id: number): OutboxEntry | null {
    const r = this.c.get<Row>('SELECT * FROM outbox WHERE id = ?', id);
    return r ? fromRow(r) : null;
  }

  forMessage(messageId: string): OutboxEntry[] {
    return this.c.all<Row>('SELECT * FROM outbox WHERE message_id = ? ORDER BY id', messageId).map(fromRow);
  }

  /** Makes everything waiting for one person due now (a held workstation was accepted). */
  retryNow(recipientUserId: string, now: number): number {
    return this.c.run('UPDATE outbox SET next_attempt_at = ? WHERE recipient_user_id = ? AND next_attempt_at > ?', now, recipientUserId, now).changes;
  }

  /** Replaces an entry's kind and payload (a fan-out expanded, an envelope sealed), keeping its place. */
  reseal(id: number, kind: string, payload: Uint8Array): boolean {
    return this.c.run('UPDATE outbox SET kind = ?, payload = ? WHERE id = ?', kind, payload, id).changes > 0;
  }

  /** Records a failed attempt and when to try again (the caller owns the backoff policy). */
  markAttempt(id: number, input: { nextAttemptAt: number; error?: string | null }): boolean {
    return this.c.run(
      'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      input.nextAttemptAt, input.error ?? null, id,
    ).changes > 0;
  }

  remove(id: number): boolean {
    return this.c.run('DELETE FROM outbox WHERE id = ?', id).changes > 0;
  }

  count(): number {
    return this.c.get<{ n: number }>('SELECT count(*) AS n FROM outbox')?.n ?? 0;
  }
}
