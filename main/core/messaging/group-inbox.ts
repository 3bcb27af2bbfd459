import { equalBytes } from '@noble/curves/utils.js';
import { decodeBase64 } from '../../../protocol/relay';
import {
  acceptsSenderKeyEpoch,
  applyChange,
  deserializeGroupState,
  deserializeSenderKeyReceiver,
  groupDecrypt,
  isCryptoError,
  parseGroupChange,
  parseGroupMessage,
  processSenderKeyDistribution,
  SenderKeyKind,
  serializeGroupState,
  serializeSenderKeyReceiver,
} from '../crypto';
import type { GroupState } from '../crypto';
import type { MessageRecord } from '../store';
import { decodeContent, encodeContent } from './content';
import { applyTimer } from './disappearing';
import type { ContentBody } from './content';
import { newMessageId } from './ids';
import { GroupDrop, groupConversationId, senderAd, emptyEffects } from './group-common';
import type { Delivered, GroupBody, GroupDeps, GroupEffects, Marker , GroupBook} from './group-common';

export function isGroupMessage(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[1] === SenderKeyKind.message;
}

/**
 * What arrives for groups: group messages (sender keys), and over pairwise sessions membership
 * changes, welcomes, sender keys and receipts. Whatever fails a check changes nothing.
 */
export class GroupInbox {
  private readonly deps: GroupDeps;

  constructor(private readonly book: GroupBook) {
    this.deps = book.deps;
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
        const setting = { seconds: body.seconds, at: Math.min(body.at, now() + 60_000), by: envelope.senderUserId, byName: this.book.nameOf(envelope.senderUserId) };
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
      const name = this.book.nameOf(envelope.senderUserId);
      this.book.systemLine(record.conversationId, `A membership change from ${name} was refused (${err.code.replace(/_/g, ' ')}). The group was not changed. If this repeats, tell IT: the relay may be tampering with this group.`, effects, 'notice');
      this.deps.log('group.change_refused', { conversationId: record.conversationId, sender: envelope.senderUserId, code: err.code });
      return;
    }
    this.book.adopt(record.conversationId, state, next, signed, parsed.authorUserId, effects);
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
      ? `${this.book.describe(parseGroupChange(signed).change, account.userId, next)} (on another of your workstations)`
      : `${this.book.nameOf(envelope.senderUserId)} added you to ${next.name}. You see messages sent from now on.`;
    this.book.systemLine(conversationId, text, effects);
    void this.book.learnMembers(next);
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
}
