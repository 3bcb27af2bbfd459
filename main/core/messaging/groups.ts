import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeBase64 } from '../../../protocol/relay';
import {
  createGroup,
  deserializeGroupState,
  serializeGroupState,
  signChange,
  stateHash,
} from '../crypto';
import type { GroupChange } from '../crypto';
import type { MessageRecord, OutboxEntry } from '../store';
import { encodeContent } from './content';
import type { ContentBody } from './content';
import { newMessageId } from './ids';
import { queueReadReceipts } from './read-receipts';
import { chunks, GroupBook, emptyEffects, groupConversationId, json, GroupError } from './group-common';
import type { Delivered, GroupDeps, GroupEffects, GroupInfo, Marker, PendingChange, UnsealedGroupMessage, Visible } from './group-common';
import { GroupInbox, isGroupMessage } from './group-inbox';
import { GroupOutbox } from './group-outbox';

export { GroupDrop, GroupError, GROUP_OUTBOX_KINDS, groupConversationId } from './group-common';
export type { GroupEffects, GroupEvents, GroupInfo, GroupMember } from './group-common';
export { STALE_GRACE_MS } from './group-outbox';

/**
 * A change names at most this many people: every member device gets each change, so a big add
 * goes as several commits of small envelopes rather than one the relay's transport could refuse.
 */
const MAX_USERS_PER_CHANGE = 25;

/**
 * Team and rota groups: Sender Keys over the pairwise sessions for messages, a signed membership
 * hash chain for who is in the group (docs/protocol.md section 11), wired into the outbox and the
 * receiver.
 *
 * Sending a message: the group's outbox lane waits until every member device holds our current
 * sender key (distributions go out as ordinary pairwise entries the message waits for),
 * then the message is encrypted once and the relay fans the one payload out (`group.send`).
 * Changing membership: the author signs the change for the exact current state and sends it
 * pairwise to every device of everyone before and after it, as one `group.commit` the relay
 * accepts only for the group's current epoch; the author applies it once the relay has stored it,
 * everyone else when it arrives, so all apply the same changes in the same order. After anyone
 * leaves or is removed, every remaining device drops its sender key and makes a new one before its
 * next message, and old chains are no longer accepted. The outbox side is group-outbox.ts, what
 * arrives group-inbox.ts; this class is what the clinician does, and the engine's one door to both.
 */
export class Groups {
  private readonly book: GroupBook;
  private readonly outbox: GroupOutbox;
  private readonly inbox: GroupInbox;
  private readonly deps: GroupDeps;

  constructor(deps: GroupDeps) {
    this.deps = deps;
    this.book = new GroupBook(deps);
    this.outbox = new GroupOutbox(this.book);
    this.inbox = new GroupInbox(this.book);
  }

  static isGroupMessage(bytes: Uint8Array): boolean {
    return isGroupMessage(bytes);
  }

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
      this.book.systemLine(conversationId, 'You created this group.', effects);
      if (others.length > 0) this.queueChange(conversationId, { type: 'add', userIds: others });
    });
    this.book.emit(effects);
    return conversationId;
  }

  /**
   * Queues a membership change. It is checked now against the current state (an error here is the
   * clinician's to see: not an admin, already a member), signed when it is sent, and re-based if
   * another admin's change got to the relay first.
   */
  change(conversationId: string, change: GroupChange): void {
    const { store } = this.deps;
    const { state } = this.book.load(conversationId);
    signChange(state, change, this.book.author());
    store.transaction(() => this.queueChange(conversationId, change));
    this.deps.events.queued();
  }

  /** Stores our message and its outbox entry; the relay gets it once sender keys are in place. */
  sendVisible(conversationId: string, content: Visible, preview: string): MessageRecord {
    const { store, account } = this.deps;
    const { record, state } = this.book.load(conversationId);
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
    const { record } = this.book.load(conversationId);
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
    const { record } = this.book.load(conversationId);
    if (record.leftAt !== null) throw new GroupError('not_member', 'You are no longer a member of this group.');
    store.outbox.enqueue({
      kind: 'group', recipientUserId: conversationId,
      payload: json({ content: encodeBase64(encodeContent(body)), waitFor: [], id: newMessageId(rng) } satisfies UnsealedGroupMessage),
      nextAttemptAt: now(), createdAt: now(),
    });
  }

  info(conversationId: string): GroupInfo {
    const { store, account } = this.deps;
    const { record, state } = this.book.load(conversationId);
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
  queueReadReceipts(conversationId: string, read: readonly { senderUserId: string; senderMessageId: string }[]): void {
    const bySender = new Map<string, string[]>();
    for (const m of read) bySender.set(m.senderUserId, [...(bySender.get(m.senderUserId) ?? []), m.senderMessageId]);
    for (const [sender, ids] of bySender) queueReadReceipts(this.deps, sender, ids, (chunk) => ({ t: 'group-read-sync', group: conversationId, ids: chunk }));
  }

  /** Whether `body` (from a group message) names this clinician with an @mention. */
  mentionsMe(messageId: string): boolean {
    const m = this.deps.store.messages.get(messageId);
    if (!m || m.direction !== 'in') return false;
    const me = this.deps.account.displayName;
    return m.body.toLowerCase().includes(`@${me.toLowerCase()}`);
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

  // ---- the outbox and the receiver -------------------------------------------------------------

  drain(isReady: (entry: OutboxEntry) => boolean): Promise<boolean> {
    return this.outbox.drain(isReady);
  }

  receiveMessage(envelope: Delivered, bytes: Uint8Array, marker: Marker): GroupEffects {
    return this.inbox.receiveMessage(envelope, bytes, marker);
  }

  applyPairwise(envelope: Delivered, senderIdentityKey: Uint8Array, body: ContentBody, effects: GroupEffects): void {
    this.inbox.applyPairwise(envelope, senderIdentityKey, body, effects);
  }

  recordReceipt(message: MessageRecord, fromUserId: string, kind: 'delivered' | 'read', at: number): boolean {
    return this.inbox.recordReceipt(message, fromUserId, kind, at);
  }
}
