/**
 * Applies one batch of envelope sends and acknowledgements in a single transaction. Runs on the
 * writer thread, the only writer of the envelopes table. Recipient status is cached between
 * batches and dropped on every admin event (revocation, disabled user).
 */
import type { Db } from '../db/database';
import { DeviceRepository, type AdminEvent } from '../db/devices';
import { EnvelopeRepository } from '../db/envelopes';
import { QueueQuota } from '../queue-quota';
import { DUPLICATE, QUEUE_FULL, UNKNOWN_DEVICE, type Batch, type BatchSend, type Outcome, type WriterOptions } from './messages';

export class BatchApplier {
  private readonly envelopes: EnvelopeRepository;
  private readonly devices: DeviceRepository;
  private readonly quota: QueueQuota;
  /** deviceId -> may receive. Cleared on any admin event. */
  private readonly active = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    options: Pick<WriterOptions, 'queueCap' | 'queueCapBytes'>,
  ) {
    this.envelopes = new EnvelopeRepository(db);
    this.devices = new DeviceRepository(db);
    this.quota = new QueueQuota(this.envelopes, options.queueCap, options.queueCapBytes);
  }

  apply(batch: Batch): { sends: Outcome[][]; acks: number[] } {
    try {
      return this.db.transaction(() => {
        for (const [deviceId, at] of batch.touches) this.devices.touch(deviceId, at);
        const acks = batch.acks.map(({ deviceId, seqs }) => this.ack(deviceId, seqs, batch.now));
        const sends = batch.sends.map((send) => send.envelopes.map((envelope) => this.store(send, envelope, batch.now)));
        return { sends, acks };
      }).immediate();
    } catch (error) {
      // Rolled back: the in-memory counts may include envelopes that were never stored.
      this.quota.invalidateAll();
      throw error;
    }
  }

  /** A device was revoked or a user disabled: forget cached answers, and drop what a revoked device can no longer receive. */
  adminEvent(event: AdminEvent): void {
    this.active.clear();
    this.quota.invalidateAll();
    if (event.kind === 'device_revoked') this.envelopes.deletePendingFor(event.target);
  }

  sweep(ackedBefore: number, undeliveredBefore?: number): number {
    if (undeliveredBefore !== undefined && this.envelopes.expireUndelivered(undeliveredBefore, Date.now()) > 0) {
      // Expired envelopes no longer count against their device's queue cap.
      this.quota.invalidateAll();
    }
    return this.envelopes.deleteTombstones(ackedBefore);
  }

  private ack(deviceId: string, seqs: number[], now: number): number {
    let acked = 0;
    for (const seq of seqs) {
      const size = this.envelopes.ack(deviceId, seq, now);
      if (size === undefined) continue;
      acked += 1;
      this.quota.release(deviceId, size);
    }
    return acked;
  }

  private store(send: BatchSend, envelope: BatchSend['envelopes'][number], now: number): Outcome {
    if (!this.mayReceive(envelope.to)) return UNKNOWN_DEVICE;
    const payload = Buffer.from(envelope.payload, 'base64');
    if (!this.quota.tryAdd(envelope.to, payload.length)) {
      // A resend of something already queued is still a duplicate, not a refusal.
      return this.envelopes.exists(send.sender.deviceId, envelope.to, envelope.senderMessageId) ? DUPLICATE : QUEUE_FULL;
    }
    const seq = this.envelopes.insert({
      recipientDeviceId: envelope.to,
      senderDeviceId: send.sender.deviceId,
      senderUserId: send.sender.userId,
      senderMessageId: envelope.senderMessageId,
      sentAt: now,
      payload,
    });
    if (seq === undefined) {
      this.quota.release(envelope.to, payload.length);
      return DUPLICATE;
    }
    return seq;
  }

  private mayReceive(deviceId: string): boolean {
    let active = this.active.get(deviceId);
    if (active === undefined) {
      active = this.devices.status(deviceId).status === 'active';
      this.active.set(deviceId, active);
    }
    return active;
  }
}
