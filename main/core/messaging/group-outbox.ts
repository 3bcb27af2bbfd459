import { equalBytes } from '@noble/curves/utils.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import {
  acceptsSenderKeyEpoch,
  applyChange,
  createSenderKey,
  deserializeGroupState,
  deserializeSenderKey,
  groupEncrypt,
  isCryptoError,
  MAX_SENDER_KEY_ITERATION,
  parseGroupChange,
  rebase,
  senderKeyDistribution,
  serializeGroupState,
  serializeSenderKey,
  signChange,
  stateHash,
} from '../crypto';
import type { GroupState, SenderKeyState } from '../crypto';
import { RelayRequestError } from '../net/relay-client';
import type { DeviceRecord, OutboxEntry } from '../store';
import { encodeContent } from './content';
import { chunks, GROUP_OUTBOX_KINDS, json, parse, senderAd, emptyEffects, GroupError } from './group-common';
import type { GroupDeps, PendingChange, SealedGroupMessage, UnsealedGroupMessage , GroupBook} from './group-common';

/** The relay takes at most this many recipients per request (protocol/relay.ts). */
const MAX_RECIPIENTS = 1000;
/** How long a member's device list is trusted before the directory is asked again. */
const MEMBER_DEVICES_MAX_AGE_MS = 10 * 60_000;
const STALE_RETRY_MS = 1_500;
/**
 * How long a commit refused as stale waits for the change that got there first. The relay's head
 * is only a sequence: a device that knows the group id can advance it with a commit every member
 * refuses. If nothing arrives in this time, the next commit names the relay's head (the change is
 * still signed for, and checked against, the group's real state).
 */
export const STALE_GRACE_MS = 10_000;

/** Directory look-ups in flight at once when a group's device lists are refreshed. */
const DIRECTORY_CONCURRENCY = 16;
const PERMANENT = new Set(['envelope_too_large', 'payload_too_large', 'invalid_payload', 'forbidden']);

/**
 * The group lanes of the outbox: membership changes committed through the relay in order, and
 * messages sent once every member device holds our sender key (docs/protocol.md 11.4).
 */
export class GroupOutbox {
  private readonly deps: GroupDeps;
  private readonly devicesFetchedAt = new Map<string, number>();
  /** Per group (hex id): how far the relay's head is ahead of the group's epoch (commits nobody applied). */
  private readonly headOffsets = new Map<string, number>();
  /** Per outbox entry refused as stale: since when, at which local epoch, and the head the relay named. */
  private readonly stale = new Map<number, { since: number; epoch: number; head: number }>();

  constructor(private readonly book: GroupBook) {
    this.deps = book.deps;
  }

  /**
   * Works through the group lanes in order (a lane is one conversation): a change is committed
   * before the messages queued after it, a message waits for its sender-key distributions.
   * False when the relay could not be reached.
   */
  async drain(isReady: (entry: OutboxEntry) => boolean): Promise<boolean> {
    const lanes = new Map<string, OutboxEntry[]>();
    for (const e of this.deps.store.outbox.pending(1000)) {
      if (!GROUP_OUTBOX_KINDS.has(e.kind)) continue;
      lanes.set(e.recipientUserId, [...(lanes.get(e.recipientUserId) ?? []), e]);
    }
    for (const entries of lanes.values()) {
      for (const entry of entries) {
        if (!isReady(entry)) break;
        const outcome = await this.step(entry);
        if (outcome === 'offline') return false;
        if (outcome === 'wait') break;
      }
    }
    return true;
  }

  private async step(entry: OutboxEntry): Promise<'done' | 'wait' | 'offline'> {
    try {
      if (entry.kind === 'group-change') return await this.commit(entry);
      if (entry.kind === 'group') {
        const sealed = await this.seal(entry);
        if (sealed !== 'done') return sealed;
        const resealed = this.deps.store.outbox.get(entry.id);
        return resealed ? await this.sendSealed(resealed) : 'done';
      }
      return await this.sendSealed(entry);
    } catch (err) {
      if (err instanceof RelayRequestError && ['timeout', 'disconnected', 'not_authenticated'].includes(err.code)) return 'offline';
      this.retryLater(entry, err);
      return 'wait';
    }
  }

  /** Sender keys first (as pairwise entries the message waits for), then one encryption for everyone. */
  private async seal(entry: OutboxEntry): Promise<'done' | 'wait'> {
    const { store, account, now } = this.deps;
    const conversationId = entry.recipientUserId;
    const record = store.groups.get(conversationId);
    const unsealed = parse<UnsealedGroupMessage>(entry.payload);
    const messageId = entry.messageId ?? unsealed.id;
    if (!record || record.leftAt !== null || !messageId) {
      this.fail(entry, 'no longer a member of this group');
      return 'done';
    }
    // Sender keys queued for this message still in the outbox: the relay must have them first.
    if (unsealed.waitFor.some((id) => store.outbox.get(id) !== null)) return 'wait';
    const state = deserializeGroupState(record.state);
    let key = this.currentSenderKey(record.groupId, state);
    const targets = await this.memberDevices(state);
    const shared = store.groups.sharedWith(record.groupId, key.chainId);
    const missing = targets.filter((d) => !shared.has(`${d.userId}/${d.deviceId}`));
    if (missing.length > 0) {
      const distribution = encodeContent({ t: 'sender-key', key: encodeBase64(senderKeyDistribution(key)) });
      store.transaction(() => {
        const waitFor = missing.map((d) =>
          store.outbox.enqueue({ kind: 'device', recipientUserId: d.userId, recipientDeviceId: d.deviceId, payload: distribution, nextAttemptAt: now(), createdAt: now() }),
        );
        store.groups.markShared(record.groupId, key.chainId, missing);
        store.outbox.reseal(entry.id, 'group', json({ ...unsealed, waitFor } satisfies UnsealedGroupMessage));
      });
      this.deps.events.queued();
      return 'wait';
    }
    const out = groupEncrypt(key, decodeBase64(unsealed.content), senderAd(account.userId, account.deviceId));
    key = out.state;
    const sealed: SealedGroupMessage = { id: messageId, to: targets.map((d) => ({ userId: d.userId, deviceId: d.deviceId })), payload: encodeBase64(out.message) };
    store.transaction(() => {
      store.groups.putOwnSenderKey(record.groupId, serializeSenderKey(key), now());
      store.outbox.reseal(entry.id, 'group-sealed', json(sealed));
    });
    return 'done';
  }

  /** One payload, fanned out by the relay; recipients it could not queue are kept for a retry. */
  private async sendSealed(entry: OutboxEntry): Promise<'done' | 'wait'> {
    const { store, relay } = this.deps;
    const sealed = parse<SealedGroupMessage>(entry.payload);
    const retry: SealedGroupMessage['to'] = [];
    const refresh = new Set<string>();
    for (let i = 0; i < sealed.to.length; i += MAX_RECIPIENTS) {
      const chunk = sealed.to.slice(i, i + MAX_RECIPIENTS);
      let answer;
      try {
        answer = await relay.request('group.send', { recipients: chunk.map((d) => d.deviceId), senderMessageId: sealed.id, payload: sealed.payload });
      } catch (err) {
        if (err instanceof RelayRequestError && PERMANENT.has(err.code)) {
          this.fail(entry, err.code);
          return 'done';
        }
        throw err;
      }
      for (const [index, result] of answer.results.entries()) {
        const device = chunk[index];
        if (!device || result.status !== 'rejected') continue;
        if (result.error === 'unknown_device') refresh.add(device.userId);
        else retry.push(device);
      }
    }
    for (const user of refresh) void this.deps.directory.devices(user, { fresh: true }).catch(() => undefined);
    if (retry.length > 0) {
      store.outbox.reseal(entry.id, 'group-sealed', json({ ...sealed, to: retry }));
      this.retryLater(entry, new RelayRequestError('queue_full', 'some member devices could not take the message yet'));
      return 'wait';
    }
    store.transaction(() => {
      store.outbox.remove(entry.id);
      const m = store.messages.get(sealed.id);
      if (m && m.status === 'pending' && store.outbox.forMessage(sealed.id).length === 0) store.messages.setStatus(sealed.id, 'sent');
    });
    this.deps.events.statusChanged(sealed.id);
    return 'done';
  }

  /**
   * Signs the change for the current state (or re-bases the one signed before), sends it to every
   * device of everyone in the group before and after it as one commit for this epoch, and applies
   * it here once the relay has stored it. A commit for an epoch the relay has moved past waits
   * for the change that got there first, then is re-based.
   */
  private async commit(entry: OutboxEntry): Promise<'done' | 'wait'> {
    const { store, account, relay, now } = this.deps;
    const conversationId = entry.recipientUserId;
    const pending = parse<PendingChange>(entry.payload);
    const record = store.groups.get(conversationId);
    if (!record || record.leftAt !== null) {
      store.outbox.remove(entry.id);
      return 'done';
    }
    const state = deserializeGroupState(record.state);
    let signed: Uint8Array | null;
    try {
      signed = pending.signed ? this.rebased(decodeBase64(pending.signed), state) : signChange(state, pending.change, this.book.author());
    } catch (err) {
      if (!isCryptoError(err)) throw err;
      // No longer possible (we were demoted, someone else removed them first and more): say so.
      const effects = emptyEffects();
      store.transaction(() => {
        store.outbox.remove(entry.id);
        this.book.systemLine(conversationId, `Your change to the group could not be made (${err.code.replace(/_/g, ' ')}).`, effects);
      });
      this.book.emit(effects);
      return 'done';
    }
    if (signed === null) {
      store.outbox.remove(entry.id);
      return 'done';
    }
    store.outbox.reseal(entry.id, 'group-change', json({ ...pending, signed: encodeBase64(signed) }));
    const next = applyChange(state, signed, () => true);
    const targets = await this.memberDevices(state, next);
    if (targets.length > MAX_RECIPIENTS) throw new GroupError('too_many_devices', `a change can reach at most ${MAX_RECIPIENTS} workstations`);
    const sessions = await this.deps.sessions.ensure(targets.map((t) => ({ userId: t.userId, deviceId: t.deviceId, identityKey: t.identityKey })));
    const welcome = encodeBase64(serializeGroupState(state));
    const records: { userId: string; deviceId: string; record: Uint8Array }[] = [];
    const envelopes: { to: string; senderMessageId: string; payload: string }[] = [];
    for (const t of targets) {
      const session = sessions.get(t.deviceId);
      if (!session) continue; // no bundle: that device will be out of step until a later change reaches it
      // Joining devices get the state the change applies to; so do our own other workstations,
      // which may not have the group yet (it was created here).
      const joining = !state.members.has(t.userId) || t.userId === account.userId;
      const body = encodeContent({ t: 'group-change', change: encodeBase64(signed), ...(joining ? { state: welcome } : {}) });
      const sealed = this.deps.sessions.encrypt(session, body);
      records.push({ userId: t.userId, deviceId: t.deviceId, record: sealed.record });
      envelopes.push({ to: t.deviceId, senderMessageId: pending.id, payload: encodeBase64(sealed.ciphertext) });
    }
    store.transaction(() => {
      for (const r of records) store.sessions.put(r.userId, r.deviceId, r.record, now());
    });
    if (envelopes.length > 0) {
      const group = bytesToHex(state.groupId);
      const refused = this.stale.get(entry.id);
      // Refused before, and our state has moved since (the winning change arrived): the relay's head
      // then is where this commit goes.
      const token = refused && refused.epoch !== state.epoch ? refused.head : state.epoch + (this.headOffsets.get(group) ?? 0);
      try {
        const answer = await relay.request('group.commit', { groupId: encodeBase64(state.groupId), epoch: token, envelopes });
        this.headOffsets.set(group, answer.epoch - next.epoch);
        this.stale.delete(entry.id);
      } catch (err) {
        if (!(err instanceof RelayRequestError) || err.code !== 'stale_epoch') throw err;
        const head = err.epoch ?? state.epoch;
        const seen = this.stale.get(entry.id);
        if (!seen || seen.epoch !== state.epoch) {
          this.stale.set(entry.id, { since: now(), epoch: state.epoch, head });
        } else if (now() - seen.since >= STALE_GRACE_MS && head !== token) {
          // Nothing arrived: the head moved for a commit nobody applied. Go on from the relay's head.
          this.headOffsets.set(group, head - state.epoch);
          this.stale.delete(entry.id);
          this.deps.log('group.relay_head_skipped', { conversationId, epoch: state.epoch, head });
          store.outbox.markAttempt(entry.id, { nextAttemptAt: now(), error: 'stale_epoch' });
          return 'wait';
        } else {
          this.stale.set(entry.id, { ...seen, head });
        }
        store.outbox.markAttempt(entry.id, { nextAttemptAt: now() + STALE_RETRY_MS, error: 'stale_epoch' });
        this.deps.log('group.commit_stale', { conversationId, epoch: state.epoch, head });
        return 'wait';
      }
    }
    const effects = emptyEffects();
    store.transaction(() => {
      store.outbox.remove(entry.id);
      this.book.adopt(record.conversationId, state, next, signed, account.userId, effects);
    });
    this.book.emit(effects);
    return 'done';
  }

  private rebased(signed: Uint8Array, state: GroupState): Uint8Array | null {
    const parsed = parseGroupChange(signed);
    if (parsed.epoch === state.epoch && equalBytes(parsed.previousHash, stateHash(state))) return signed;
    return rebase(signed, state, this.book.author());
  }

  private currentSenderKey(groupId: Uint8Array, state: GroupState): SenderKeyState {
    const { store, rng, now } = this.deps;
    const bytes = store.groups.ownSenderKey(groupId);
    const existing = bytes ? deserializeSenderKey(bytes) : null;
    if (existing && acceptsSenderKeyEpoch(state, existing.epoch) && existing.iteration <= MAX_SENDER_KEY_ITERATION) return existing;
    const fresh = createSenderKey({ groupId, epoch: state.epoch }, rng);
    store.transaction(() => {
      store.groups.dropOwnSenderKey(groupId);
      store.groups.putOwnSenderKey(groupId, serializeSenderKey(fresh), now());
    });
    return fresh;
  }

  /**
   * Every certified device of the members of `state` (and of `also`), but this one. Held
   * devices (a verified colleague's new workstation not yet accepted) get no messages; they do
   * get membership changes, which hold no patient data, so they stay in step.
   */
  private async memberDevices(state: GroupState, also?: GroupState): Promise<DeviceRecord[]> {
    const { account, now } = this.deps;
    const users = [...new Set([...state.members.keys(), ...(also?.members.keys() ?? [])])];
    const stale = users.filter((userId) => {
      const fresh = now() - (this.devicesFetchedAt.get(userId) ?? -Infinity) < MEMBER_DEVICES_MAX_AGE_MS;
      return !fresh || (userId !== account.userId && this.deps.store.contacts.devices(userId).length === 0);
    });
    for (const batch of chunks(stale, DIRECTORY_CONCURRENCY)) {
      await Promise.all(batch.map((userId) => this.deps.directory.devices(userId, { fresh: true })));
      for (const userId of batch) this.devicesFetchedAt.set(userId, now());
    }
    const out: DeviceRecord[] = [];
    for (const userId of users) {
      for (const d of this.deps.store.contacts.devices(userId)) {
        if (userId === account.userId && d.deviceId === account.deviceId) continue;
        if (!also && d.trust === 'changed') continue;
        out.push(d);
      }
    }
    return out;
  }

  private fail(entry: OutboxEntry, reason: string): void {
    const { store } = this.deps;
    store.transaction(() => {
      store.outbox.remove(entry.id);
      if (entry.messageId) store.messages.setStatus(entry.messageId, 'failed');
    });
    this.deps.log('group.send_failed', { entry: entry.id, reason });
    if (entry.messageId) this.deps.events.statusChanged(entry.messageId);
  }

  private retryLater(entry: OutboxEntry, err: unknown): void {
    const base = Math.min(5 * 60_000, 1000 * 2 ** Math.min(entry.attempts, 20));
    const code = err instanceof RelayRequestError ? err.code : err instanceof Error ? err.name : 'error';
    this.deps.store.outbox.markAttempt(entry.id, { nextAttemptAt: this.deps.now() + base, error: code });
    this.deps.log('group.retry', { entry: entry.id, attempts: entry.attempts + 1, code });
  }
}
