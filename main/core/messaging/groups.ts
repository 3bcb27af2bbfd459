import { equalBytes } from '@noble/curves/utils.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import type { RelayPush } from '../../../protocol/relay';
import {
  acceptsSenderKeyEpoch,
  applyChange,
  createGroup,
  createSenderKey,
  deserializeGroupState,
  deserializeSenderKey,
  deserializeSenderKeyReceiver,
  groupDecrypt,
  groupEncrypt,
  isCryptoError,
  MAX_SENDER_KEY_ITERATION,
  needsRotation,
  parseGroupChange,
  parseGroupMessage,
  processSenderKeyDistribution,
  rebase,
  SenderKeyKind,
  senderKeyDistribution,
  serializeGroupState,
  serializeSenderKey,
  serializeSenderKeyReceiver,
  signChange,
  stateHash,
} from '../crypto';
import type { DeviceKeys, GroupChange, GroupRole, GroupState, SenderKeyState } from '../crypto';
import { RelayRequestError } from '../net/relay-client';
import type { DeviceRecord, MessageRecord, OutboxEntry } from '../store';
import { decodeContent, encodeContent } from './content';
import { applyTimer } from './disappearing';
import type { ContentBody } from './content';
import type { DeviceDirectory } from './directory';
import { localLineId, newMessageId } from './ids';
import type { EngineParts } from './parts';
import type { SessionBook } from './sessions';

type Delivered = RelayPush<'envelope.deliver'>['envelopes'][number];
type Visible = Extract<ContentBody, { t: 'text' | 'attachment' }>;
/** What a group message may carry: something to show, or the conversation's timer. */
type GroupBody = Visible | Extract<ContentBody, { t: 'timer' }>;
type Marker = { senderUserId: string; senderDeviceId: string; senderMessageId: string };

/** Outbox kinds of group work; their lane is the conversation (recipientUserId holds its id). */
export const GROUP_OUTBOX_KINDS = new Set(['group', 'group-sealed', 'group-change']);
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
/**
 * A change names at most this many people: every member device gets each change, so a big add
 * goes as several commits of small envelopes rather than one the relay's transport could refuse.
 */
const MAX_USERS_PER_CHANGE = 25;
/** Directory look-ups in flight at once when a group's device lists are refreshed. */
const DIRECTORY_CONCURRENCY = 16;
const PERMANENT = new Set(['envelope_too_large', 'payload_too_large', 'invalid_payload', 'forbidden']);

export interface GroupEvents {
  added(messageId: string): void;
  statusChanged(messageId: string): void;
  conversationsChanged(): void;
  /** New pairwise work (sender keys) is in the outbox: run another pass. */
  queued(): void;
}

export interface GroupMember {
  userId: string;
  displayName: string;
  role: GroupRole;
}

export interface GroupInfo {
  conversationId: string;
  name: string;
  epoch: number;
  members: GroupMember[];
  /** This clinician's role; null once they have left or been removed. */
  myRole: GroupRole | null;
  /** SHA-256 of the membership record, hex: members can compare it to detect a fork. */
  stateHash: string;
}

/** What one received group envelope changed (the receiver emits the events). */
export interface GroupEffects {
  added: string[];
  /** A disappearing-messages timer changed: the sweep is re-planned. */
  timerChanged?: boolean;
  /** A message whose attachment is to be fetched. */
  attachment?: string | null;
  statusChanged: string[];
  conversationsChanged: boolean;
  queued: boolean;
}

/** A group envelope that can never be processed: the receiver logs the reason and acknowledges it. */
export class GroupDrop extends Error {
  override readonly name = 'GroupDrop';
}

export function groupConversationId(groupId: Uint8Array): string {
  return `group:${bytesToHex(groupId)}`;
}

/** Binds a group message to the sender the relay authenticated (docs/protocol.md 11.2). */
function senderAd(userId: string, deviceId: string): Uint8Array {
  const user = utf8ToBytes(userId);
  const device = utf8ToBytes(deviceId);
  return concatBytes(new Uint8Array([user.length >> 8, user.length & 0xff]), user, new Uint8Array([device.length >> 8, device.length & 0xff]), device);
}

/** A sealed group message: its id, the devices it goes to, and the one ciphertext they all get. */
interface SealedGroupMessage {
  id: string;
  to: { userId: string; deviceId: string }[];
  payload: string;
}

/** A group message not yet encrypted, and the sender-key entries (outbox ids) that must reach the relay first. */
interface UnsealedGroupMessage {
  content: string;
  waitFor: number[];
  /** The envelope's id when the content is no stored message (a timer setting). */
  id?: string;
}

interface PendingChange {
  id: string;
  change: GroupChange;
  /** The signed change once made, so a retry re-sends the same one (or re-bases it). */
  signed?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));
const parse = <T>(bytes: Uint8Array | null): T => JSON.parse(decoder.decode(bytes ?? new Uint8Array(0))) as T;

/**
 * Team and rota groups: Sender Keys over the pairwise sessions for messages, a signed membership
 * hash chain for who is in the group (docs/protocol.md section 11), wired into the outbox and the
 * receiver.
 *
 * Sending a message: the group's outbox lane waits until every member device holds our current
 * sender key (distributions go out as ordinary pairwise entries, tagged with the message id),
 * then the message is encrypted once and the relay fans the one payload out (`group.send`).
 * Changing membership: the author signs the change for the exact current state and sends it
 * pairwise to every device of everyone before and after it, as one `group.commit` the relay
 * accepts only for the group's current epoch; the author applies it once the relay has stored it,
 * everyone else when it arrives, so all apply the same changes in the same order. After anyone
 * leaves or is removed, every remaining device drops its sender key and makes a new one before its
 * next message, and old chains are no longer accepted.
 */
export class Groups {
  private readonly devicesFetchedAt = new Map<string, number>();
  /** Per group (hex id): how far the relay's head is ahead of the group's epoch (commits nobody applied). */
  private readonly headOffsets = new Map<string, number>();
  /** Per outbox entry refused as stale: since when, at which local epoch, and the head the relay named. */
  private readonly stale = new Map<number, { since: number; epoch: number; head: number }>();

  constructor(
    private readonly deps: EngineParts & {
      directory: DeviceDirectory;
      sessions: SessionBook;
      deviceKeys: () => DeviceKeys;
      /** The longest disappearing-messages timer the policy allows (seconds). */
      timerCap: () => number;
      events: GroupEvents;
    },
  ) {}

  // ---- what the clinician does -----------------------------------------------------------------

  /** A new group with this clinician as its only admin, then one change adding `members`. */
  create(name: string, members: readonly string[]): string {
    const { store, account, now, rng } = this.deps;
    const state = createGroup({ name, creator: account.userId }, rng);
    const conversationId = groupConversationId(state.groupId);
    const others = [...new Set(members)].filter((u) => u !== account.userId);
    const effects = { ...emptyEffects(), queued: others.length > 0 };
    store.transaction(() => {
      store.conversations.create({ id: conversationId, kind: 'group', title: name, now: now(), members: [account.userId] });
      store.groups.create({ conversationId, groupId: state.groupId, state: serializeGroupState(state), now: now() });
      this.systemLine(conversationId, 'You created this group.', effects);
      if (others.length > 0) this.queueChange(conversationId, { type: 'add', userIds: others });
    });
    this.emit(effects);
    return conversationId;
  }

  /**
   * Queues a membership change. It is checked now against the current state (an error here is the
   * clinician's to see: not an admin, already a member), signed when it is sent, and re-based if
   * another admin's change got to the relay first.
   */
  change(conversationId: string, change: GroupChange): void {
    const { store } = this.deps;
    const { state } = this.load(conversationId);
    signChange(state, change, this.author());
    store.transaction(() => this.queueChange(conversationId, change));
    this.deps.events.queued();
  }

  /** Stores our message and its outbox entry; the relay gets it once sender keys are in place. */
  sendVisible(conversationId: string, content: Visible, preview: string): MessageRecord {
    const { store, account } = this.deps;
    const { record, state } = this.load(conversationId);
    if (record.leftAt !== null || !state.members.has(account.userId)) throw new GroupError('not_member', 'You are no longer a member of this group.');
    const message = store.messages.insertOutgoing(
      {
        id: content.id, conversationId, direction: 'out', senderUserId: account.userId, senderDeviceId: account.deviceId,
        senderMessageId: content.id, kind: 'text', body: preview, status: 'pending', sentAt: content.sentAt,
      },
      [{ kind: 'group', recipientUserId: conversationId, payload: json({ content: encodeBase64(encodeContent(content)), waitFor: [] } satisfies UnsealedGroupMessage), nextAttemptAt: content.sentAt, createdAt: content.sentAt }],
    );
    return message;
  }

  /** The outbox entry for a message already stored (an attachment once uploaded, a retry). */
  queueContent(conversationId: string, messageId: string, content: Visible): void {
    const { store, now } = this.deps;
    const { record } = this.load(conversationId);
    if (record.leftAt !== null) throw new GroupError('not_member', 'You are no longer a member of this group.');
    store.outbox.enqueue({
      kind: 'group', messageId, recipientUserId: conversationId,
      payload: json({ content: encodeBase64(encodeContent(content)), waitFor: [] } satisfies UnsealedGroupMessage),
      nextAttemptAt: now(), createdAt: now(),
    });
  }

  /** Group content that is no message of its own (the conversation's timer): its entry gets a fresh envelope id. */
  queueBody(conversationId: string, body: Extract<ContentBody, { t: 'timer' }>): void {
    const { store, now, rng } = this.deps;
    const { record } = this.load(conversationId);
    if (record.leftAt !== null) throw new GroupError('not_member', 'You are no longer a member of this group.');
    store.outbox.enqueue({
      kind: 'group', recipientUserId: conversationId,
      payload: json({ content: encodeBase64(encodeContent(body)), waitFor: [], id: newMessageId(rng) } satisfies UnsealedGroupMessage),
      nextAttemptAt: now(), createdAt: now(),
    });
  }

  info(conversationId: string): GroupInfo {
    const { store, account } = this.deps;
    const { record, state } = this.load(conversationId);
    const members = [...state.members.entries()]
      .map(([userId, role]) => ({ userId, role, displayName: userId === account.userId ? account.displayName : (store.contacts.get(userId)?.displayName ?? 'Colleague') }))
      .sort((a, b) => (a.role === b.role ? a.displayName.localeCompare(b.displayName) : a.role === 'admin' ? -1 : 1));
    return {
      conversationId,
      name: state.name,
      epoch: state.epoch,
      members,
      myRole: record.leftAt === null ? (state.members.get(account.userId) ?? null) : null,
      stateHash: bytesToHex(stateHash(state)),
    };
  }

  /** "Read by 12 of 15": receipts from members for one of our group messages. */
  receiptSummary(message: MessageRecord): { delivered: number; read: number; of: number } | null {
    const { store, account } = this.deps;
    const record = store.groups.get(message.conversationId);
    if (!record || message.direction !== 'out') return null;
    const state = deserializeGroupState(record.state);
    const counts = store.groups.receiptCounts(message.id);
    return { ...counts, of: Math.max(0, state.members.size - (state.members.has(account.userId) ? 1 : 0)) };
  }

  /** Group messages this clinician read: a read receipt to each sender, and the read state to our other workstations. */
  queueReadReceipts(conversationId: string, read: readonly { senderUserId: string; senderMessageId: string }[]): boolean {
    const { store, account, now } = this.deps;
    const bySender = new Map<string, string[]>();
    for (const m of read) bySender.set(m.senderUserId, [...(bySender.get(m.senderUserId) ?? []), m.senderMessageId]);
    let queued = false;
    for (const [sender, ids] of bySender) {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        store.outbox.enqueue({ kind: 'fanout', recipientUserId: sender, payload: encodeContent({ t: 'receipt', kind: 'read', ids: chunk, at: now() }), nextAttemptAt: now(), createdAt: now() });
        store.outbox.enqueue({ kind: 'fanout', recipientUserId: account.userId, payload: encodeContent({ t: 'group-read-sync', group: conversationId, ids: chunk }), nextAttemptAt: now(), createdAt: now() });
        queued = true;
      }
    }
    return queued;
  }

  // ---- the outbox ------------------------------------------------------------------------------

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
      signed = pending.signed ? this.rebased(decodeBase64(pending.signed), state) : signChange(state, pending.change, this.author());
    } catch (err) {
      if (!isCryptoError(err)) throw err;
      // No longer possible (we were demoted, someone else removed them first and more): say so.
      const effects = emptyEffects();
      store.transaction(() => {
        store.outbox.remove(entry.id);
        this.systemLine(conversationId, `Your change to the group could not be made (${err.code.replace(/_/g, ' ')}).`, effects);
      });
      this.emit(effects);
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
      this.adopt(record.conversationId, state, next, signed, account.userId, effects);
    });
    this.emit(effects);
    return 'done';
  }

  private rebased(signed: Uint8Array, state: GroupState): Uint8Array | null {
    const parsed = parseGroupChange(signed);
    if (parsed.epoch === state.epoch && equalBytes(parsed.previousHash, stateHash(state))) return signed;
    return rebase(signed, state, this.author());
  }

  // ---- receiving -------------------------------------------------------------------------------

  static isGroupMessage(bytes: Uint8Array): boolean {
    return bytes.length >= 2 && bytes[1] === SenderKeyKind.message;
  }

  /**
   * A group message from the relay: checked against the sender's key and the group's state,
   * decrypted, and stored with its dedupe marker and the key's next state in one transaction.
   */
  receiveMessage(envelope: Delivered, bytes: Uint8Array, marker: Marker): GroupEffects {
    const { store, account, now, rng } = this.deps;
    let parsed;
    try {
      parsed = parseGroupMessage(bytes);
    } catch (err) {
      throw new GroupDrop(isCryptoError(err) ? err.code : 'malformed');
    }
    const record = store.groups.byGroupId(parsed.groupId);
    if (!record) throw new GroupDrop('unknown_group');
    if (record.leftAt !== null) throw new GroupDrop('not_member');
    const state = deserializeGroupState(record.state);
    if (!state.members.has(envelope.senderUserId)) throw new GroupDrop('sender_not_member');
    if (!acceptsSenderKeyEpoch(state, parsed.epoch)) throw new GroupDrop('sender_key_epoch');
    const key = store.groups.senderKey(record.groupId, envelope.senderUserId, envelope.senderDeviceId, parsed.chainId);
    if (!key) throw new GroupDrop('unknown_sender_key');
    let result;
    try {
      result = groupDecrypt(deserializeSenderKeyReceiver(key.record), bytes, senderAd(envelope.senderUserId, envelope.senderDeviceId));
    } catch (err) {
      if (isCryptoError(err)) throw new GroupDrop(err.code);
      throw err;
    }
    const body = this.groupBody(result.plaintext);
    const fromMe = envelope.senderUserId === account.userId;
    const effects = emptyEffects();
    store.transaction(() => {
      if (body.t === 'timer') {
        if (!store.messages.addMarker(marker, null, now())) return;
        store.groups.putSenderKey(record.groupId, { ...key, record: serializeSenderKeyReceiver(result.state) }, now());
        const setting = { seconds: body.seconds, at: Math.min(body.at, now() + 60_000), by: envelope.senderUserId, byName: this.nameOf(envelope.senderUserId) };
        const line = applyTimer({ store, rng, now, me: account }, record.conversationId, setting, this.deps.timerCap());
        if (line) effects.added.push(line);
        effects.conversationsChanged = true;
        effects.timerChanged = true;
        return;
      }
      const id = fromMe ? body.id : newMessageId(rng);
      if (!store.messages.addMarker(marker, id, now())) return;
      store.groups.putSenderKey(record.groupId, { ...key, record: serializeSenderKeyReceiver(result.state) }, now());
      store.messages.insert({
        id, conversationId: record.conversationId, direction: fromMe ? 'out' : 'in',
        senderUserId: envelope.senderUserId, senderDeviceId: envelope.senderDeviceId, senderMessageId: envelope.senderMessageId,
        kind: 'text', body: body.t === 'text' ? body.text : body.caption, status: fromMe ? 'sent' : 'received',
        sentAt: Math.min(body.sentAt, now() + 60_000), receivedAt: now(),
      });
      if (body.t === 'attachment') {
        const a = body.attachment;
        store.attachments.add({
          id: newMessageId(rng), messageId: id, fileName: a.name, mimeType: a.mimeType, size: a.size, sha256: decodeBase64(a.sha256),
          state: 'pending', createdAt: now(), pointer: JSON.stringify(a), thumbnail: a.thumbnail ? decodeBase64(a.thumbnail) : null,
        });
        effects.attachment = id;
      }
      effects.added.push(id);
      effects.conversationsChanged = true;
      if (!fromMe) {
        store.outbox.enqueue({
          kind: 'fanout', recipientUserId: envelope.senderUserId,
          payload: encodeContent({ t: 'receipt', kind: 'delivered', ids: [envelope.senderMessageId], at: now() }),
          nextAttemptAt: now(), createdAt: now(),
        });
        effects.queued = true;
      }
    });
    return effects;
  }

  /** Whether `body` (from a group message) names this clinician with an @mention. */
  mentionsMe(messageId: string): boolean {
    const m = this.deps.store.messages.get(messageId);
    if (!m || m.direction !== 'in') return false;
    const me = this.deps.account.displayName;
    return m.body.toLowerCase().includes(`@${me.toLowerCase()}`);
  }

  /**
   * Pairwise group content, inside the receiver's transaction: a membership change (or the
   * welcome that comes with being added) or a member's sender key. What fails a check is
   * shown as a safety notice or dropped; it never changes the group.
   */
  applyPairwise(envelope: Delivered, senderIdentityKey: Uint8Array, body: ContentBody, effects: GroupEffects): void {
    try {
      if (body.t === 'group-change') this.receiveChange(envelope, senderIdentityKey, body, effects);
      else if (body.t === 'sender-key') this.receiveSenderKey(envelope, body.key);
      else if (body.t === 'group-read-sync' && envelope.senderUserId === this.deps.account.userId) {
        const cleared = this.deps.store.messages.markReadBySender(body.group, null, body.ids, this.deps.now());
        if (cleared > 0) effects.conversationsChanged = true;
      }
    } catch (err) {
      // Refused group content still used up its ratchet step: the envelope's transaction commits.
      if (!(err instanceof GroupDrop)) throw err;
      this.deps.log('receive.group_refused', { envelope: envelope.id, senderUserId: envelope.senderUserId, reason: err.message });
    }
  }

  /** A member's receipt for one of our group messages; true when it changed what we show. */
  recordReceipt(message: MessageRecord, fromUserId: string, kind: 'delivered' | 'read', at: number): boolean {
    const { store } = this.deps;
    const record = store.groups.get(message.conversationId);
    if (!record) return false;
    const state = deserializeGroupState(record.state);
    if (!state.members.has(fromUserId) || fromUserId === this.deps.account.userId) return false;
    const changed = store.groups.recordReceipt(message.id, fromUserId, kind, at);
    if (!changed) return false;
    // The tick shows what every member has reached; the counts say how many so far.
    const counts = store.groups.receiptCounts(message.id);
    const others = state.members.size - (state.members.has(this.deps.account.userId) ? 1 : 0);
    if (counts.read >= others) store.messages.setStatus(message.id, 'read');
    else if (counts.delivered >= others) store.messages.setStatus(message.id, 'delivered');
    return true;
  }

  private receiveChange(envelope: Delivered, senderIdentityKey: Uint8Array, body: Extract<ContentBody, { t: 'group-change' }>, effects: GroupEffects): void {
    const { store } = this.deps;
    let signed: Uint8Array;
    let parsed;
    try {
      signed = decodeBase64(body.change);
      parsed = parseGroupChange(signed);
    } catch {
      throw new GroupDrop('malformed_change');
    }
    // The author's device sends its own change: the pairwise session proves who that is.
    if (parsed.authorUserId !== envelope.senderUserId || !equalBytes(parsed.authorIdentityKey, senderIdentityKey)) {
      throw new GroupDrop('change_not_from_author');
    }
    const certified = (userId: string, key: Uint8Array) => userId === envelope.senderUserId && equalBytes(key, senderIdentityKey);
    const record = store.groups.byGroupId(parsed.groupId);
    if (!record || record.leftAt !== null) {
      // Not (or no longer) a member: only a change that adds us, with the state it applies to, counts.
      if (!body.state) throw new GroupDrop(record ? 'not_member' : 'unknown_group');
      this.join(envelope, signed, body.state, certified, effects);
      return;
    }
    const state = deserializeGroupState(record.state);
    if (parsed.epoch < state.epoch) throw new GroupDrop('old_change'); // a replay, or the welcome of a change we have
    let next: GroupState;
    try {
      next = applyChange(state, signed, certified);
    } catch (err) {
      if (!isCryptoError(err)) throw err;
      const name = this.nameOf(envelope.senderUserId);
      this.systemLine(record.conversationId, `A membership change from ${name} was refused (${err.code.replace(/_/g, ' ')}). The group was not changed. If this repeats, tell IT: the relay may be tampering with this group.`, effects, 'notice');
      this.deps.log('group.change_refused', { conversationId: record.conversationId, sender: envelope.senderUserId, code: err.code });
      return;
    }
    this.adopt(record.conversationId, state, next, signed, parsed.authorUserId, effects);
  }

  /** Added to a group: the change must apply to the state it came with, and include us. */
  private join(envelope: Delivered, signed: Uint8Array, stateB64: string, certified: (u: string, k: Uint8Array) => boolean, effects: GroupEffects): void {
    const { store, account, now } = this.deps;
    let previous: GroupState;
    let next: GroupState;
    try {
      previous = deserializeGroupState(decodeBase64(stateB64));
      next = applyChange(previous, signed, certified);
    } catch (err) {
      throw new GroupDrop(isCryptoError(err) ? `welcome_${err.code}` : 'welcome_malformed');
    }
    if (!next.members.has(account.userId)) throw new GroupDrop('welcome_not_member');
    const conversationId = groupConversationId(next.groupId);
    const earlier = store.groups.get(conversationId);
    if (earlier) {
      // Added back after leaving or being removed: the earlier conversation continues.
      if (earlier.leftAt === null) throw new GroupDrop('welcome_conflict');
      const was = deserializeGroupState(earlier.state);
      if (next.epoch <= was.epoch) throw new GroupDrop('welcome_old');
      store.groups.setState(conversationId, serializeGroupState(next), now());
      for (const u of store.conversations.members(conversationId)) if (!next.members.has(u)) store.conversations.removeMember(conversationId, u);
      for (const u of next.members.keys()) store.conversations.addMember(conversationId, u);
      store.conversations.setTitle(conversationId, next.name);
    } else {
      if (store.conversations.get(conversationId)) throw new GroupDrop('welcome_conflict');
      store.conversations.create({ id: conversationId, kind: 'group', title: next.name, now: now(), members: [...next.members.keys()] });
      store.groups.create({ conversationId, groupId: next.groupId, state: serializeGroupState(next), now: now() });
    }
    const text = envelope.senderUserId === account.userId
      ? `${this.describe(parseGroupChange(signed).change, account.userId, next)} (on another of your workstations)`
      : `${this.nameOf(envelope.senderUserId)} added you to ${next.name}. You see messages sent from now on.`;
    this.systemLine(conversationId, text, effects);
    void this.learnMembers(next);
  }

  private receiveSenderKey(envelope: Delivered, keyB64: string): void {
    const { store, now } = this.deps;
    let receiver;
    try {
      receiver = processSenderKeyDistribution(decodeBase64(keyB64));
    } catch {
      throw new GroupDrop('malformed_sender_key');
    }
    const record = store.groups.byGroupId(receiver.groupId);
    if (!record || record.leftAt !== null) throw new GroupDrop('sender_key_unknown_group');
    const state = deserializeGroupState(record.state);
    if (!state.members.has(envelope.senderUserId)) throw new GroupDrop('sender_key_not_member');
    if (!acceptsSenderKeyEpoch(state, receiver.epoch)) throw new GroupDrop('sender_key_epoch');
    // Same chain again (a resend): keep what we have, or used keys would open again.
    if (store.groups.senderKey(record.groupId, envelope.senderUserId, envelope.senderDeviceId, receiver.chainId)) return;
    store.groups.putSenderKey(
      record.groupId,
      { userId: envelope.senderUserId, deviceId: envelope.senderDeviceId, chainId: receiver.chainId, epoch: receiver.epoch, record: serializeSenderKeyReceiver(receiver) },
      now(),
    );
  }

  // ---- shared ----------------------------------------------------------------------------------

  /** The group moves to `next` here: members, title, a line saying what changed, and key rotation. */
  private adopt(conversationId: string, previous: GroupState, next: GroupState, signed: Uint8Array, author: string, effects: GroupEffects): void {
    const { store, account, now } = this.deps;
    const stillIn = next.members.has(account.userId);
    store.groups.setState(conversationId, serializeGroupState(next), now(), !stillIn);
    for (const u of next.members.keys()) if (!previous.members.has(u)) store.conversations.addMember(conversationId, u);
    for (const u of previous.members.keys()) if (!next.members.has(u)) store.conversations.removeMember(conversationId, u);
    if (next.name !== previous.name) store.conversations.setTitle(conversationId, next.name);
    if (needsRotation(previous, next)) {
      // Anyone gone: our chain is dropped (a new one before our next message) and chains from
      // before the removal are no longer accepted from anyone.
      store.groups.dropOwnSenderKey(next.groupId);
      store.groups.dropSenderKeys(next.groupId, { epochBelow: next.senderKeyFloor });
      for (const u of previous.members.keys()) if (!next.members.has(u)) store.groups.dropSenderKeys(next.groupId, { userId: u });
    }
    this.systemLine(conversationId, this.describe(parseGroupChange(signed).change, author, next), effects);
    if (!stillIn) return;
    const joined = [...next.members.keys()].filter((u) => !previous.members.has(u));
    if (joined.length > 0) void this.learnMembers(next);
  }

  private describe(change: GroupChange, author: string, next: GroupState): string {
    const who = author === this.deps.account.userId ? 'You' : this.nameOf(author);
    const names = (ids: readonly string[]) =>
      ids.map((u) => (u === this.deps.account.userId ? 'you' : this.nameOf(u))).sort((x, y) => x.localeCompare(y)).join(', ');
    switch (change.type) {
      case 'add':
        return `${who} added ${names(change.userIds)}.`;
      case 'remove':
        return `${who} removed ${names(change.userIds)}. Messages are now encrypted under new keys they do not have.`;
      case 'promote':
        return `${who} made ${names([change.userId])} an admin.`;
      case 'demote':
        return `${who} made ${names([change.userId])} a member (no longer an admin).`;
      case 'rename':
        return `${who} renamed the group to ${next.name}.`;
      case 'leave':
        return `${who === 'You' ? 'You' : who} left the group.`;
    }
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

  private async learnMembers(state: GroupState): Promise<void> {
    for (const userId of state.members.keys()) {
      if (this.deps.store.contacts.get(userId)) continue;
      await this.deps.directory.devices(userId, { fresh: true }).catch(() => undefined);
    }
    this.deps.events.conversationsChanged();
  }

  private groupBody(plaintext: Uint8Array): GroupBody {
    let body: ContentBody;
    try {
      body = decodeContent(plaintext);
    } catch {
      throw new GroupDrop('bad_content');
    }
    if (body.t === 'timer' && body.peer === undefined) return body;
    if (body.t !== 'text' && body.t !== 'attachment') throw new GroupDrop('bad_content');
    return body;
  }

  private queueChange(conversationId: string, change: GroupChange): void {
    const { store, now, rng } = this.deps;
    const parts: GroupChange[] =
      change.type === 'add' || change.type === 'remove'
        ? chunks(change.userIds, MAX_USERS_PER_CHANGE).map((userIds) => ({ type: change.type, userIds }))
        : [change];
    for (const part of parts) {
      const pending: PendingChange = { id: newMessageId(rng), change: part };
      store.outbox.enqueue({ kind: 'group-change', recipientUserId: conversationId, payload: json(pending), nextAttemptAt: now(), createdAt: now() });
    }
  }

  private load(conversationId: string): { record: NonNullable<ReturnType<EngineParts['store']['groups']['get']>>; state: GroupState } {
    const record = this.deps.store.groups.get(conversationId);
    if (!record) throw new GroupError('not_group', 'This conversation is not a group.');
    return { record, state: deserializeGroupState(record.state) };
  }

  private author() {
    return { userId: this.deps.account.userId, identity: this.deps.deviceKeys().identity };
  }

  private nameOf(userId: string): string {
    if (userId === this.deps.account.userId) return this.deps.account.displayName;
    return this.deps.store.contacts.get(userId)?.displayName ?? 'A colleague';
  }

  /** A line in the conversation saying what happened to the group (read, never sent). */
  private systemLine(conversationId: string, text: string, effects: GroupEffects, kind: 'news' | 'notice' = 'news'): void {
    const { store, account, now, rng } = this.deps;
    const id = newMessageId(rng);
    store.messages.insert({
      id, conversationId, direction: 'in', senderUserId: account.userId, senderDeviceId: account.deviceId,
      senderMessageId: localLineId(kind, id), kind: 'system', body: text, status: 'received', sentAt: now(), receivedAt: now(),
    });
    effects.added.push(id);
    effects.conversationsChanged = true;
  }

  private emit(effects: GroupEffects): void {
    for (const id of effects.added) this.deps.events.added(id);
    if (effects.conversationsChanged) this.deps.events.conversationsChanged();
    if (effects.queued) this.deps.events.queued();
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

export class GroupError extends Error {
  override readonly name = 'GroupError';
  constructor(
    readonly code: 'not_group' | 'not_member' | 'too_many_devices',
    message: string,
  ) {
    super(message);
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function emptyEffects(): GroupEffects {
  return { added: [], statusChanged: [], conversationsChanged: false, queued: false };
}
