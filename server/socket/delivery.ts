/**
 * Pushes a device's queue to its socket in seq order, with at most WINDOW envelopes unacknowledged.
 *
 * On authentication the pump reads the queue from the database. Once it finds the queue drained
 * the session is "caught up": envelopes committed from then on are pushed straight from memory
 * when the writer reports the commit, without a read. The writer commits one batch at a time in
 * seq order, and everything here runs synchronously on the main thread, so "pushed" is always a
 * prefix of the device's queue up to `cursor`, whichever path pushed it.
 * Unacknowledged envelopes are pushed again on the next connection (at-least-once; clients
 * dedupe by id), or on this one once the device has acknowledged nothing for a while with some in
 * flight: an acknowledgement lost on a live connection must not hold its window until it drops.
 */
import type { DeliveredEnvelope } from '../../protocol/relay';
import type { z } from 'zod';
import type { EnvelopeRepository } from '../db/envelopes';
import type { Session } from './session';

/** An envelope to push, as it goes on the wire (id = its seq), so pushing copies nothing. */
export type LiveEnvelope = z.input<typeof DeliveredEnvelope>;

export const DELIVERY_WINDOW = 500;
const PAGE = 100;

export class DeliveryPump {
  constructor(private readonly envelopes: EnvelopeRepository) {}

  start(session: Session): void {
    session.cursor = 0;
    session.caughtUp = false;
    session.inflight.clear();
    this.pump(session);
  }

  pump(session: Session): void {
    const { deviceId } = session.id;
    while (!session.caughtUp && session.connected && session.inflight.size < DELIVERY_WINDOW) {
      const limit = Math.min(PAGE, DELIVERY_WINDOW - session.inflight.size);
      const rows = this.envelopes.pending(deviceId, session.cursor, limit);
      if (rows.length > 0) {
        this.push(
          session,
          rows.map((row) => ({
            id: row.seq,
            senderUserId: row.senderUserId,
            senderDeviceId: row.senderDeviceId,
            senderMessageId: row.senderMessageId,
            sentAt: row.sentAt,
            payload: row.payload.toString('base64'),
          })),
        );
      }
      if (rows.length < limit) session.caughtUp = true;
    }
  }

  /** Envelopes just committed for this session's device, in seq order. */
  live(session: Session, committed: LiveEnvelope[]): void {
    if (!session.caughtUp || !session.connected) return; // the pump will read them
    // The writer thread commits before its reply reaches us, so the pump may already have read
    // and pushed some of these: commits are in seq order, so those are exactly seq <= cursor.
    const rows = committed[0] && committed[0].id > session.cursor ? committed : committed.filter((row) => row.id > session.cursor);
    if (rows.length === 0) return;
    const room = DELIVERY_WINDOW - session.inflight.size;
    if (rows.length > room) {
      session.caughtUp = false;
      if (room > 0) this.push(session, rows.slice(0, room));
      return;
    }
    this.push(session, rows);
  }

  acked(session: Session, seqs: number[]): void {
    session.progressAt = Date.now();
    for (const seq of seqs) session.inflight.delete(seq);
    if (!session.caughtUp && session.inflight.size <= DELIVERY_WINDOW / 2) this.pump(session);
  }

  /**
   * Starts delivery again from the database for every connected device that has had envelopes in
   * flight and acknowledged nothing for `afterMs`; returns how many. What it had processed comes
   * again and is only acknowledged (its dedupe marker), and its queue moves again.
   */
  redeliverStalled(sessions: Iterable<Session>, afterMs: number, now = Date.now()): number {
    let count = 0;
    for (const session of sessions) {
      if (!session.connected || session.inflight.size === 0 || now - session.progressAt < afterMs) continue;
      session.progressAt = now;
      this.start(session);
      count += 1;
    }
    return count;
  }

  private push(session: Session, envelopes: LiveEnvelope[]): void {
    if (session.inflight.size === 0) session.progressAt = Date.now();
    for (const envelope of envelopes) session.inflight.add(envelope.id);
    const last = envelopes[envelopes.length - 1];
    if (last) session.cursor = last.id;
    session.socket.emit('envelope.deliver', { envelopes });
  }
}
