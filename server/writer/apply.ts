/**
 * Applies one batch of envelope sends and acknowledgements in a single transaction. Runs on the
 * writer thread, the only writer of the envelopes and group_heads tables. Recipient status is
 * cached between batches and dropped on every admin event (revocation, disabled user).
 *
 * Group commits are checked against the group's head inside the same transaction, in batch
 * order: of two commits naming the same epoch the first is stored and the second finds the head
 * moved. Envelopes get seqs in that order, and each device's queue is delivered in seq order, so
 * every recipient device sees a group's accepted commits in the same relative order.
 */
import type { Db } from '../db/database';
import { DeviceRepository, type AdminEvent } from '../db/devices';
import { EnvelopeRepository } from '../db/envelopes';
import { GroupHeadRepository } from '../db/groups';
import { QueueQuota } from '../queue-quota';
import { DUPLICATE, QUEUE_FULL, UNKNOWN_DEVICE, type Batch, type BatchSend, type Outcome, type SendOutcome, type WriterOptions } from './messages';

export class BatchApplier {
  private readonly envelopes: EnvelopeRepository;
  private readonly devices: DeviceRepository;
  private readonly groups: GroupHeadRepository;
  private readonly quota: QueueQuota;
  /** deviceId -> may receive. Cleared on any admin event. */
  private readonly active = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    options: Pick<WriterOptions, 'queueCap' | 'queueCapBytes'>,
  ) {
    this.envelopes = new EnvelopeRepository(db);
    this.devices = new DeviceRepository(db);
    this.groups = new GroupHeadRepository(db);
    this.quota = new QueueQuota(this.envelopes, options.queueCap, options.queueCapBytes);
  }

  apply(batch: Batch): { sends: SendOutcome[]; acks: number[] } {
    try {
      return this.db.transaction(() => {
        for (const [deviceId, at] of batch.touches) this.devices.touch(deviceId, at);
        const acks = batch.acks.map(({ deviceId, seqs }) => this.ack(deviceId, seqs, batch.now));
        const sends = batch.sends.map((send) => (send.commit ? this.commit(send, send.commit, batch.now) : { outcomes: this.storeAll(send, batch.now) }));
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

  private commit(send: BatchSend, { groupId, epoch }: { groupId: string; epoch: number }, now: number): SendOutcome {
    const group = Buffer.from(groupId, 'base64');
    const head = this.groups.head(group);
    const first = send.envelopes[0]?.senderMessageId ?? '';
    if (head === undefined || head.nextEpoch === epoch) {
      const outcomes = this.storeAll(send, now);
      this.groups.advance(group, epoch + 1, { senderDeviceId: send.sender.deviceId, firstSenderMessageId: first }, now);
      return { outcomes, head: epoch + 1 };
    }
    const retry = head.nextEpoch === epoch + 1 && head.lastSenderDeviceId === send.sender.deviceId && head.lastSenderMessageId === first;
    if (!retry) return { outcomes: [], head: head.nextEpoch, stale: true };
    // The accepted commit again (its acknowledgement was lost). Storing now what it could not
    // store then would put those envelopes after later commits: report, never store.
    const outcomes = send.envelopes.map((envelope) => {
      if (this.envelopes.exists(send.sender.deviceId, envelope.to, envelope.senderMessageId)) return DUPLICATE;
      return this.mayReceive(envelope.to) ? QUEUE_FULL : UNKNOWN_DEVICE;
    });
    return { outcomes, head: head.nextEpoch };
  }

  private storeAll(send: BatchSend, now: number): Outcome[] {
    // Each payload decoded once, however many recipients share it.
    const payloads = send.payloads.map((payload) => Buffer.from(payload, 'base64'));
    return send.envelopes.map((envelope) => {
      const payload = payloads[envelope.payload];
      if (!payload) throw new Error(`envelope names payload ${envelope.payload} of ${payloads.length}`);
      return this.store(send, envelope, payload, now);
    });
  }

  private store(send: BatchSend, envelope: BatchSend['envelopes'][number], payload: Buffer, now: number): Outcome {
    if (!this.mayReceive(envelope.to)) return UNKNOWN_DEVICE;
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
