import { encodeBase64 } from '../../../protocol/relay';
import { RelayRequestError } from '../net/relay-client';
import type { DeviceRecord, OutboxEntry } from '../store';
import type { DeviceDirectory } from './directory';
import type { Groups } from './groups';
import { packSealed, unpackSealed } from './envelope-payload';
import { newMessageId } from './ids';
import type { SessionBook } from './sessions';
import type { EngineParts } from './parts';

/**
 * Outbox kinds. `fanout`: content for every device of one person (expanded once the device list
 * is known). `device`: content for one device, not yet encrypted. `sealed`: the exact envelope
 * for one device, encrypted, with its ratchet step already committed. The group kinds (a message,
 * the same sealed once for every member device, a membership change) are groups.ts's; their
 * recipientUserId is the conversation, so a group's entries form one lane.
 */
export type OutboxKind = 'fanout' | 'device' | 'sealed' | 'group' | 'group-sealed' | 'group-change';

const MAX_BACKOFF_MS = 5 * 60_000;
const PASS_RETRY_MS = 2_000;
/** Relay errors after which a message can never be sent as it is. */
const PERMANENT = new Set(['envelope_too_large', 'payload_too_large', 'invalid_payload', 'forbidden']);

export interface SenderEvents {
  statusChanged(messageId: string): void;
}

/** The queue an entry waits in: order is kept per person until expanded, then per device. */
const laneOf = (e: OutboxEntry) => (e.recipientDeviceId ? `${e.recipientUserId}/${e.recipientDeviceId}` : e.recipientUserId);

/**
 * Drains the outbox: nothing leaves before the message and its outbox entry are committed, and
 * an entry is removed only after the relay says it stored the envelope. Entries go out in the
 * order they were queued for each recipient device, so a colleague reads messages in the order
 * they were written even across crashes and relay restarts: an entry that must wait holds back
 * everything queued after it for the same device. Runs one pass at a time.
 */
export class Sender {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly deps: EngineParts & { directory: DeviceDirectory; sessions: SessionBook; groups: Groups; events: SenderEvents },
  ) {}

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Starts a pass now (or right after the current one); resolves when it is done. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let retry = false;
      try {
        do {
          this.again = false;
          retry = !(await this.pass());
        } while (this.again && !this.stopped && !retry);
      } catch (err) {
        retry = true;
        // After stop() the store is closed under an in-flight pass; anything else is logged and retried.
        if (!this.stopped) this.deps.log('outbox.pass_failed', { reason: err instanceof Error ? err.name : 'error' });
      } finally {
        this.running = null;
        this.scheduleNext(retry);
      }
    })();
    return this.running;
  }

  private scheduleNext(retrySoon: boolean): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const pending = this.deps.store.outbox.pending(1000);
    if (pending.length === 0) return;
    const earliest = Math.min(...pending.map((e) => e.nextAttemptAt));
    const wait = retrySoon ? PASS_RETRY_MS : Math.max(50, earliest - this.deps.now());
    this.timer = setTimeout(() => void this.flush(), Math.min(wait, MAX_BACKOFF_MS));
    this.timer.unref?.();
  }

  /** One pass over the queue; false when the relay could not be reached (try again soon). */
  private async pass(): Promise<boolean> {
    if (this.deps.relay.state !== 'authenticated') return true;
    const { store, now } = this.deps;
    const blocked = new Set<string>();
    const ready = (e: OutboxEntry) => {
      const lane = laneOf(e);
      if (blocked.has(lane) || blocked.has(e.recipientUserId)) return false;
      if (e.nextAttemptAt > now()) {
        blocked.add(lane);
        return false;
      }
      return true;
    };
    const expansions: { entry: OutboxEntry; devices: DeviceRecord[] }[] = [];
    for (const entry of store.outbox.pending(500)) {
      if (entry.kind !== 'fanout' || !ready(entry)) continue;
      const devices = await this.devicesFor(entry);
      if (devices) expansions.push({ entry, devices });
      else blocked.add(entry.recipientUserId);
    }
    // One commit for the whole pass: every commit is an fsync (synchronous = FULL).
    store.transaction(() => {
      for (const x of expansions) this.expand(x.entry, x.devices);
    });
    for (const x of expansions) if (x.entry.messageId) this.afterChange(x.entry.messageId);
    if (!(await this.seal(store.outbox.pending(500).filter((e) => e.kind === 'device' && ready(e)), blocked))) return false;
    const sendable = [];
    for (const e of store.outbox.pending(500)) {
      // A device with an unsealed entry ahead waits: its later envelopes must not overtake it.
      if (e.kind !== 'sealed') blocked.add(laneOf(e));
      else if (ready(e)) sendable.push(e);
    }
    if (!(await this.send(sendable))) return false;
    // Group lanes last: their sender keys (pairwise entries above) must be on the relay first.
    return this.deps.groups.drain((e) => e.nextAttemptAt <= now());
  }

  private async devicesFor(entry: OutboxEntry): Promise<DeviceRecord[] | null> {
    try {
      return await this.deps.directory.devices(entry.recipientUserId);
    } catch (err) {
      this.retryLater(entry, err);
      return null;
    }
  }

  /** One entry per device of the person; the sender's own devices never include this one. Runs inside the pass's transaction. */
  private expand(entry: OutboxEntry, devices: DeviceRecord[]): void {
    const { store, account } = this.deps;
    const targets = devices.filter((d) => !(d.userId === account.userId && d.deviceId === account.deviceId));
    store.outbox.remove(entry.id);
    for (const d of targets) {
      store.outbox.enqueue({
        kind: 'device',
        messageId: entry.messageId,
        recipientUserId: entry.recipientUserId,
        recipientDeviceId: d.deviceId,
        payload: entry.payload,
        nextAttemptAt: this.deps.now(),
        createdAt: entry.createdAt,
      });
    }
    // Nobody to deliver to (the person has no active workstation): say so rather than wait forever.
    if (targets.length === 0 && entry.recipientUserId !== account.userId && entry.messageId) {
      store.messages.setStatus(entry.messageId, 'failed');
    }
  }

  private async seal(entries: OutboxEntry[], blocked: Set<string>): Promise<boolean> {
    const { store } = this.deps;
    const targets = [];
    for (const e of entries) {
      const device = e.recipientDeviceId ? store.contacts.device(e.recipientUserId, e.recipientDeviceId) : null;
      if (!device) {
        // The device was revoked since: drop its copy.
        store.outbox.remove(e.id);
        if (e.messageId) this.afterChange(e.messageId);
        continue;
      }
      if (device.trust === 'changed') {
        // A verified contact's new or changed workstation: held until the clinician accepts it.
        store.outbox.markAttempt(e.id, { nextAttemptAt: this.deps.now() + 60_000, error: 'waiting for the new safety number to be accepted' });
        blocked.add(laneOf(e));
        continue;
      }
      if (blocked.has(laneOf(e))) continue;
      targets.push({ entry: e, ref: { userId: device.userId, deviceId: device.deviceId, identityKey: device.identityKey } });
    }
    if (targets.length === 0) return true;
    let sessions;
    try {
      sessions = await this.deps.sessions.ensure(targets.map((t) => t.ref));
    } catch (err) {
      this.deps.log('outbox.sessions_unavailable', { code: err instanceof RelayRequestError ? err.code : 'error' });
      return false;
    }
    // Encrypt everything, then commit every ratchet step with its sealed envelope in one transaction.
    const sealedAll: { entry: OutboxEntry; userId: string; deviceId: string; record: Uint8Array; payload: Uint8Array }[] = [];
    for (const t of targets) {
      const lane = laneOf(t.entry);
      if (blocked.has(lane)) continue;
      const session = sessions.get(t.ref.deviceId);
      if (!session) {
        this.retryLater(t.entry, new Error('no prekey bundle for this device'));
        blocked.add(lane);
        continue;
      }
      const sealed = this.deps.sessions.encrypt(session, t.entry.payload ?? new Uint8Array(0));
      sessions.set(t.ref.deviceId, sealed.session);
      const envelopeId = t.entry.messageId ?? newMessageId(this.deps.rng);
      sealedAll.push({ entry: t.entry, userId: t.ref.userId, deviceId: t.ref.deviceId, record: sealed.record, payload: packSealed(envelopeId, sealed.ciphertext) });
    }
    const latest = new Map<string, (typeof sealedAll)[number]>();
    for (const x of sealedAll) latest.set(`${x.userId}/${x.deviceId}`, x);
    store.transaction(() => {
      for (const x of latest.values()) store.sessions.put(x.userId, x.deviceId, x.record, this.deps.now());
      for (const x of sealedAll) store.outbox.reseal(x.entry.id, 'sealed', x.payload);
    });
    return true;
  }

  private async send(entries: OutboxEntry[]): Promise<boolean> {
    const { store, relay } = this.deps;
    const blocked = new Set<string>();
    for (let i = 0; i < entries.length; i += 200) {
      const batch = entries
        .slice(i, i + 200)
        .filter((e) => !blocked.has(laneOf(e)))
        .map((e) => ({ entry: e, ...unpackSealed(e.payload ?? new Uint8Array(0)) }));
      if (batch.length === 0) continue;
      let answer;
      try {
        answer = await relay.request('envelope.send', {
          envelopes: batch.map((b) => ({ to: b.entry.recipientDeviceId ?? '', senderMessageId: b.envelopeId, payload: encodeBase64(b.ciphertext) })),
        });
      } catch (err) {
        // Unreachable: nothing is lost (the envelopes stay sealed, same bytes next time); retry the pass soon.
        this.deps.log('outbox.relay_unavailable', { code: err instanceof RelayRequestError ? err.code : 'error' });
        return false;
      }
      const touched = new Set<string>();
      const refresh = new Set<string>();
      store.transaction(() => {
        for (const [index, result] of answer.results.entries()) {
          const b = batch[index];
          if (!b) continue;
          if (b.entry.messageId) touched.add(b.entry.messageId);
          if (result.status === 'stored' || result.status === 'duplicate') {
            store.outbox.remove(b.entry.id);
          } else if (result.error === 'unknown_device') {
            store.outbox.remove(b.entry.id);
            refresh.add(b.entry.recipientUserId);
          } else if (result.error && PERMANENT.has(result.error)) {
            store.outbox.remove(b.entry.id);
            if (b.entry.messageId) store.messages.setStatus(b.entry.messageId, 'failed');
          } else {
            blocked.add(laneOf(b.entry));
            this.retryLater(b.entry, new RelayRequestError(result.error ?? 'internal', 'relay did not store the envelope'));
          }
        }
        for (const id of touched) this.markSentIfDone(id);
      });
      for (const user of refresh) void this.deps.directory.devices(user, { fresh: true }).catch(() => undefined);
      for (const id of touched) this.deps.events.statusChanged(id);
    }
    return true;
  }

  /** pending -> sent once no copy of the message waits in the outbox. */
  private markSentIfDone(messageId: string): void {
    const { store } = this.deps;
    if (store.outbox.forMessage(messageId).length === 0) {
      const m = store.messages.get(messageId);
      if (m && m.status === 'pending') store.messages.setStatus(messageId, 'sent');
    }
  }

  private afterChange(messageId: string): void {
    this.markSentIfDone(messageId);
    this.deps.events.statusChanged(messageId);
  }

  private retryLater(entry: OutboxEntry, err: unknown): void {
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(entry.attempts, 20));
    const retryAfter = err instanceof RelayRequestError && err.retryAfterMs ? err.retryAfterMs : 0;
    const delay = Math.max(retryAfter, base / 2 + (this.deps.rng(1)[0]! / 255) * (base / 2));
    const code = err instanceof RelayRequestError ? err.code : 'error';
    this.deps.store.outbox.markAttempt(entry.id, { nextAttemptAt: this.deps.now() + delay, error: code });
    this.deps.log('outbox.retry', { entry: entry.id, attempts: entry.attempts + 1, code });
  }
}
