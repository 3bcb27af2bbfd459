import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { RelayPush } from '../../../protocol/relay';
import {
  deserializeGroupState,
  needsRotation,
  parseGroupChange,
  serializeGroupState,
} from '../crypto';
import type { DeviceKeys, GroupChange, GroupRole, GroupState } from '../crypto';
import type { ContentBody } from './content';
import type { DeviceDirectory } from './directory';
import { localLineId, newMessageId } from './ids';
import type { EngineParts } from './parts';
import type { SessionBook } from './sessions';

export type Delivered = RelayPush<'envelope.deliver'>['envelopes'][number];
export type Visible = Extract<ContentBody, { t: 'text' | 'attachment' }>;
/** What a group message may carry: something to show, or the conversation's timer. */
export type GroupBody = Visible | Extract<ContentBody, { t: 'timer' }>;
export type Marker = { senderUserId: string; senderDeviceId: string; senderMessageId: string };

/** Outbox kinds of group work; their lane is the conversation (recipientUserId holds its id). */
export const GROUP_OUTBOX_KINDS = new Set(['group', 'group-sealed', 'group-change']);

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
export function senderAd(userId: string, deviceId: string): Uint8Array {
  const user = utf8ToBytes(userId);
  const device = utf8ToBytes(deviceId);
  return concatBytes(new Uint8Array([user.length >> 8, user.length & 0xff]), user, new Uint8Array([device.length >> 8, device.length & 0xff]), device);
}

/** A sealed group message: its id, the devices it goes to, and the one ciphertext they all get. */
export interface SealedGroupMessage {
  id: string;
  to: { userId: string; deviceId: string }[];
  payload: string;
}

/** A group message not yet encrypted, and the sender-key entries (outbox ids) that must reach the relay first. */
export interface UnsealedGroupMessage {
  content: string;
  waitFor: number[];
  /** The envelope's id when the content is no stored message (a timer setting). */
  id?: string;
}

export interface PendingChange {
  id: string;
  change: GroupChange;
  /** The signed change once made, so a retry re-sends the same one (or re-bases it). */
  signed?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const json = (value: unknown) => encoder.encode(JSON.stringify(value));
export const parse = <T>(bytes: Uint8Array | null): T => JSON.parse(decoder.decode(bytes ?? new Uint8Array(0))) as T;

export type GroupDeps = EngineParts & {
  directory: DeviceDirectory;
  sessions: SessionBook;
  deviceKeys: () => DeviceKeys;
  /** The longest disappearing-messages timer the policy allows (seconds). */
  timerCap: () => number;
  events: GroupEvents;
};

/**
 * What the group outbox, inbox and the clinician's actions share: one profile's parts, and the
 * steps every side takes (a group's record, a line in the conversation, moving to a new state).
 */
export class GroupError extends Error {
  override readonly name = 'GroupError';
  constructor(
    readonly code: 'not_group' | 'not_member' | 'too_many_devices',
    message: string,
  ) {
    super(message);
  }
}

export class GroupBook {
  constructor(readonly deps: GroupDeps) {}

  load(conversationId: string): { record: NonNullable<ReturnType<EngineParts['store']['groups']['get']>>; state: GroupState } {
    const record = this.deps.store.groups.get(conversationId);
    if (!record) throw new GroupError('not_group', 'This conversation is not a group.');
    return { record, state: deserializeGroupState(record.state) };
  }

  author() {
    return { userId: this.deps.account.userId, identity: this.deps.deviceKeys().identity };
  }

  nameOf(userId: string): string {
    if (userId === this.deps.account.userId) return this.deps.account.displayName;
    return this.deps.store.contacts.get(userId)?.displayName ?? 'A colleague';
  }

  /** A line in the conversation saying what happened to the group (read, never sent). */
  systemLine(conversationId: string, text: string, effects: GroupEffects, kind: 'news' | 'notice' = 'news'): void {
    const { store, account, now, rng } = this.deps;
    const id = newMessageId(rng);
    store.messages.insert({
      id, conversationId, direction: 'in', senderUserId: account.userId, senderDeviceId: account.deviceId,
      senderMessageId: localLineId(kind, id), kind: 'system', body: text, status: 'received', sentAt: now(), receivedAt: now(),
    });
    effects.added.push(id);
    effects.conversationsChanged = true;
  }

  emit(effects: GroupEffects): void {
    for (const id of effects.added) this.deps.events.added(id);
    if (effects.conversationsChanged) this.deps.events.conversationsChanged();
    if (effects.queued) this.deps.events.queued();
  }

  /** The group moves to `next` here: members, title, a line saying what changed, and key rotation. */
  adopt(conversationId: string, previous: GroupState, next: GroupState, signed: Uint8Array, author: string, effects: GroupEffects): void {
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

  describe(change: GroupChange, author: string, next: GroupState): string {
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

  async learnMembers(state: GroupState): Promise<void> {
    for (const userId of state.members.keys()) {
      if (this.deps.store.contacts.get(userId)) continue;
      await this.deps.directory.devices(userId, { fresh: true }).catch(() => undefined);
    }
    this.deps.events.conversationsChanged();
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function emptyEffects(): GroupEffects {
  return { added: [], statusChanged: [], conversationsChanged: false, queued: false };
}
