import { sign } from '../crypto/identity';
import type { DeviceKeys, Rng } from '../crypto';
import { RelayClient } from '../net/relay-client';
import type { RelayState } from '../net/relay-client';
import type { RelayPush } from '../../../protocol/relay';
import type { MessageRecord, Store } from '../store';
import { topUpPrekeys } from './account';
import type { Account } from './account';
import type { encodeContent } from './content';
import type { AttachmentPointer } from './content';
import type { DeviceNotice } from './directory';
import { deviceNoticeLine } from './directory';
import { DeviceDirectory } from './directory';
import { directConversationId, newMessageId } from './ids';
import { Attachments } from './attachments';
import { setTimer, timerCap } from './disappearing';
import { Groups, GroupError } from './groups';
import { directEntries, requeueFailed } from './outgoing';
import { queueReadReceipts } from './read-receipts';
import { Receiver } from './receiver';
import { RetentionSweeper } from './retention';
import type { SweepTimers } from './retention';
import { acknowledgeUrgent, UrgentWatch } from './urgent-watch';
import { Sender } from './sender';
import type { EngineParts } from './parts';
import { SessionBook } from './sessions';

const MESSAGE_ID = /^[0-9a-f]{32}$/;

export interface EngineEvents {
  messageAdded(messageId: string): void;
  messageChanged(messageId: string): void;
  conversationsChanged(): void;
  /** Retention deleted old messages (which ones is not kept: they are gone). */
  messagesRemoved(): void;
  attachmentArrived(messageId: string): void;
  transferProgress(attachmentId: string, direction: 'upload' | 'download', loaded: number, total: number): void;
  connection(state: RelayState): void;
  /** The relay says this device was revoked; `push.wipe` is its signed wipe order, to be verified. */
  revoked(push: RelayPush<'device.revoked'>): void;
}

export interface EngineOptions {
  store: Store;
  account: Account;
  deviceKeys: DeviceKeys;
  rng: Rng;
  now?: () => number;
  events?: Partial<EngineEvents>;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Reconnect backoff (tests shorten it). */
  reconnectDelayMs?: number;
  /** The organisation's retentionDays (policy), read at every sweep; absent or 0 keeps everything. */
  retentionDays?: () => number;
  /** Clock and timers for the retention sweep and urgent-message checks (tests drive them by hand). */
  timers?: SweepTimers;
  /** The organisation's urgentUndeliveredMinutes (policy). Default 10. */
  urgentUndeliveredMinutes?: () => number;
}

const systemTimers: SweepTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The messaging engine of one unlocked profile: the relay connection, the device directory,
 * sessions, the outbox sender and the receiver, wired together. Used the same way by the
 * Electron main process, the web host and the headless colleagues of tests and the demo.
 */
export class MessagingEngine {
  readonly relay: RelayClient;
  readonly directory: DeviceDirectory;
  private readonly sender: Sender;
  private readonly receiver: Receiver;
  /** Team and rota groups: create, change, info, receipts (groups.ts). */
  readonly groups: Groups;
  private readonly attachments: Attachments;
  private readonly retention: RetentionSweeper;
  private readonly urgentWatch: UrgentWatch;
  private keys: DeviceKeys;
  private readonly now: () => number;
  private readonly log: NonNullable<EngineOptions['log']>;
  private readonly events: Partial<EngineEvents>;
  private readonly retentionDays: () => number;

  constructor(private readonly o: EngineOptions) {
    this.keys = o.deviceKeys;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => undefined);
    this.events = o.events ?? {};
    this.retentionDays = o.retentionDays ?? (() => 0);
    const { store, account, rng } = o;
    this.relay = new RelayClient({
      url: account.relayUrl,
      deviceId: account.deviceId,
      sign: (message) => sign(this.keys.identity, message),
      reconnectDelayMs: o.reconnectDelayMs,
      log: this.log,
    });
    const parts: EngineParts = { store, relay: this.relay, account, rng, now: this.now, log: this.log };
    this.directory = new DeviceDirectory({ ...parts, onNotice: (n) => this.notice(n) });
    const sessions = new SessionBook({ ...parts, deviceKeys: () => this.keys });
    this.groups = new Groups({
      ...parts, directory: this.directory, sessions, deviceKeys: () => this.keys, timerCap: () => timerCap(this.retentionDays()),
      events: {
        added: (id) => this.events.messageAdded?.(id),
        statusChanged: (id) => this.events.messageChanged?.(id),
        conversationsChanged: () => this.events.conversationsChanged?.(),
        queued: () => void this.sender.flush(),
      },
    });
    this.sender = new Sender({
      ...parts, directory: this.directory, sessions, groups: this.groups,
      events: { statusChanged: (id) => this.events.messageChanged?.(id) },
    });
    this.receiver = new Receiver({
      ...parts, directory: this.directory, groups: this.groups, timerCap: () => timerCap(this.retentionDays()),
      deviceKeys: { get: () => this.keys, set: (k) => (this.keys = k) },
      events: {
        added: (id) => this.events.messageAdded?.(id),
        statusChanged: (id) => this.events.messageChanged?.(id),
        conversationsChanged: () => this.events.conversationsChanged?.(),
        attachmentArrived: (messageId) => {
          this.events.attachmentArrived?.(messageId);
          for (const a of store.attachments.forMessage(messageId)) void this.attachments.download(a.id);
        },
        queued: () => void this.sender.flush(),
        timerChanged: () => void this.retention.sweep(),
      },
    });
    this.attachments = new Attachments({
      ...parts, directory: this.directory,
      events: {
        progress: (id, direction, loaded, total) => this.events.transferProgress?.(id, direction, loaded, total),
        done: (messageId) => this.events.messageChanged?.(messageId),
      },
    });
    this.retention = new RetentionSweeper({
      store, timers: o.timers ?? systemTimers, log: this.log,
      retentionDays: this.retentionDays,
      swept: (result) => {
        if (result.messages > 0) this.events.messagesRemoved?.();
        this.events.conversationsChanged?.();
      },
    });
    this.urgentWatch = new UrgentWatch({
      store, timers: o.timers ?? systemTimers, now: this.now, newId: () => newMessageId(rng),
      minutes: o.urgentUndeliveredMinutes ?? (() => 10),
      added: (id) => {
        this.events.messageAdded?.(id);
        this.events.conversationsChanged?.();
      },
    });
    this.relay.onPush('envelope.deliver', (push) => void this.receiver.enqueue(push.envelopes));
    this.relay.onPush('prekeys.low', () => void this.replenishPrekeys().catch((err: unknown) => this.log('prekeys.replenish_failed', { reason: err instanceof Error ? err.message : 'error' })));
    this.relay.onPush('device.revoked', (push) => this.events.revoked?.(push));
    this.relay.onState((state) => {
      this.events.connection?.(state);
      if (state === 'authenticated') {
        void this.sender.flush();
        void this.receiver.drain();
        void this.replenishPrekeys().catch(() => undefined);
        this.resumeTransfers();
      }
    });
  }

  get account(): Account {
    return this.o.account;
  }

  start(): void {
    this.retention.start();
    this.urgentWatch.start();
    this.relay.connect();
  }

  /** Stops all traffic; the relay keeps whatever arrives until this profile is unlocked again. */
  stop(): void {
    this.retention.stop();
    this.urgentWatch.stop();
    this.sender.stop();
    this.receiver.stop();
    this.attachments.stop();
    this.relay.close();
  }

  /** Resolves when the outbox has nothing due (tests and shutdown use it). */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** Opens (or finds) the direct conversation with a colleague. */
  async startConversation(peer: { userId: string; displayName: string; username?: string }): Promise<string> {
    const { store } = this.o;
    const id = directConversationId(peer.userId);
    store.transaction(() => {
      store.contacts.upsert({ userId: peer.userId, displayName: peer.displayName, now: this.now() });
      if (!store.conversations.get(id)) store.conversations.create({ id, kind: 'direct', title: peer.displayName, now: this.now(), members: [peer.userId] });
    });
    // Learn their workstations now, so the first message does not wait for it.
    await this.directory.devices(peer.userId, { fresh: true }).catch(() => undefined);
    this.events.conversationsChanged?.();
    return id;
  }

  /**
   * Commits the message with its outbox entries before anything goes on the wire. An urgent one
   * also starts the watch that tells the sender if it has not arrived within the policy's minutes.
   */
  sendText(conversationId: string, text: string, opts: { urgent?: boolean; mentions?: readonly string[] } = {}): MessageRecord {
    const id = newMessageId(this.o.rng);
    const sentAt = this.now();
    const mentions = opts.mentions && opts.mentions.length > 0 ? { mentions: [...new Set(opts.mentions)].slice(0, 50) } : {};
    const message = this.enqueueVisible(conversationId, id, sentAt, { t: 'text', id, sentAt, text, ...(opts.urgent ? { urgent: true as const } : {}), ...mentions }, text);
    if (opts.urgent) this.urgentWatch.check();
    return message;
  }

  /**
   * Sets the conversation's disappearing-messages timer (0 turns it off) for every member: here
   * at once, then as `timer` content to the others and our own other workstations.
   */
  setDisappearing(conversationId: string, seconds: number): void {
    const { store, account, rng } = this.o;
    const line = setTimer({ store, rng, now: this.now, account, groups: this.groups }, conversationId, seconds, timerCap(this.retentionDays()));
    if (line) this.events.messageAdded?.(line);
    this.events.conversationsChanged?.();
    void this.retention.sweep();
    void this.sender.flush();
  }

  /**
   * The clinician deletes messages on this workstation only; their words then leave the search
   * index in the sweep's merge steps, so a large index never holds the core in one block.
   */
  deleteMessages(ids: readonly string[]): number {
    const deleted = this.o.store.messages.removeMany(ids);
    if (deleted > 0) void this.retention.sweep();
    return deleted;
  }

  /** The longest disappearing-messages timer the policy allows, in seconds. */
  disappearingCap(): number {
    return timerCap(this.retentionDays());
  }

  /**
   * The recipient acknowledges an urgent message: recorded here, sent encrypted to the sender's
   * workstations (who see who acknowledged and when) and to our own others (their alerts stop).
   */
  acknowledge(messageId: string): MessageRecord {
    const { store, account } = this.o;
    if (acknowledgeUrgent({ store, account, now: this.now }, messageId)) {
      this.events.messageChanged?.(messageId);
      void this.sender.flush();
    }
    return store.messages.get(messageId)!;
  }

  /** Used by attachments: the content carries the pointer (key, digest, blob id). */
  enqueueVisible(conversationId: string, id: string, sentAt: number, content: Parameters<typeof encodeContent>[0] & { t: 'text' | 'attachment' }, preview: string, also?: (message: MessageRecord) => void): MessageRecord {
    const { store, account } = this.o;
    const conversation = store.conversations.get(conversationId);
    if (!conversation) throw new Error('no such conversation');
    if (conversation.kind === 'group') {
      if (content.t === 'text' && content.urgent) throw new GroupError('not_group', 'Urgent messages go to one colleague: send it in a direct conversation.');
      const message = store.transaction(() => {
        const rec = this.groups.sendVisible(conversationId, content, preview);
        also?.(rec);
        return rec;
      });
      this.events.messageAdded?.(message.id);
      this.events.conversationsChanged?.();
      void this.sender.flush();
      return message;
    }
    const peer = store.conversations.members(conversationId).find((m) => m !== account.userId);
    if (!peer) throw new Error('conversation has no other member');
    const urgent = content.t === 'text' && content.urgent === true;
    const message = store.transaction(() => {
      const rec = store.messages.insertOutgoing(
        { id, conversationId, direction: 'out', senderUserId: account.userId, senderDeviceId: account.deviceId, senderMessageId: id, kind: 'text', body: preview, status: 'pending', sentAt, urgent },
        directEntries(account, peer, content, sentAt),
      );
      also?.(rec);
      return rec;
    });
    this.events.messageAdded?.(message.id);
    this.events.conversationsChanged?.();
    void this.sender.flush();
    return message;
  }

  /**
   * Stores the file (inside the encrypted store) and the message at once, shown as uploading;
   * the message's outbox entries are committed only when the encrypted blob is on the relay.
   */
  sendAttachment(conversationId: string, file: { name: string; mimeType: string; data: Uint8Array; thumbnail?: Uint8Array | null }): MessageRecord {
    const { message, attachmentId } = this.attachments.stage(conversationId, file);
    this.events.messageAdded?.(message.id);
    this.events.conversationsChanged?.();
    void this.uploadAttachment(attachmentId).catch(() => undefined);
    return message;
  }

  private async uploadAttachment(attachmentId: string): Promise<void> {
    const { store, account } = this.o;
    const record = store.attachments.get(attachmentId);
    const message = record ? store.messages.get(record.messageId) : null;
    if (!record || !message) return;
    const content = (pointer: AttachmentPointer) => ({ t: 'attachment' as const, id: message.id, sentAt: message.sentAt, caption: message.body, attachment: pointer });
    if (store.conversations.get(message.conversationId)?.kind === 'group') {
      const members = this.groups.info(message.conversationId).members.map((m) => m.userId);
      await this.attachments.upload(attachmentId, members, (pointer) => this.groups.queueContent(message.conversationId, message.id, content(pointer)));
      void this.sender.flush();
      return;
    }
    const peer = store.conversations.members(message.conversationId).find((u) => u !== account.userId);
    if (!peer) return;
    await this.attachments.upload(attachmentId, [peer], (pointer) => {
      for (const entry of directEntries(account, peer, content(pointer), this.now())) store.outbox.enqueue({ ...entry, messageId: message.id });
    });
    void this.sender.flush();
  }

  /** After a restart or reconnect: uploads that never finished, downloads not yet fetched. */
  private resumeTransfers(): void {
    for (const a of this.o.store.attachments.unfinished()) {
      const message = this.o.store.messages.get(a.messageId);
      if (!message) continue;
      if (message.direction === 'out') void this.uploadAttachment(a.id).catch(() => undefined);
      else void this.attachments.download(a.id);
    }
  }

  identityKey(): Uint8Array {
    return this.keys.identity.publicKey;
  }

  /** A colleague's name from the directory, for a conversation started from a user id alone. */
  async lookupUser(userId: string): Promise<{ userId: string; displayName: string; username: string | null } | null> {
    const answer = await this.relay.request('directory.user', { userId });
    return answer.user ? { userId: answer.user.userId, displayName: answer.user.displayName, username: answer.user.username } : null;
  }

  /** A failed message goes back into the outbox as new (outgoing.ts). */
  retry(messageId: string): void {
    requeueFailed({ store: this.o.store, account: this.o.account, now: this.now, groups: this.groups }, messageId);
    this.events.messageChanged?.(messageId);
    void this.sender.flush();
  }

  /** Marks everything read and tells the sender (read receipt) and our other workstations. */
  markRead(conversationId: string): number {
    const { store, account } = this.o;
    const group = store.conversations.get(conversationId)?.kind === 'group';
    const peer = group ? undefined : store.conversations.members(conversationId).find((u) => u !== account.userId);
    const read = store.transaction(() => {
      const marked = store.conversations.markRead(conversationId, this.now());
      // Notices are local (no sender message id to acknowledge); everything else gets a read receipt.
      const receipted = marked.filter((m) => m.senderUserId !== account.userId && MESSAGE_ID.test(m.senderMessageId));
      if (group) this.groups.queueReadReceipts(conversationId, receipted);
      else if (peer) queueReadReceipts({ store, account, now: this.now }, peer, receipted.map((m) => m.senderMessageId), (ids) => ({ t: 'read-sync', peer, ids }));
      return marked.length;
    });
    if (read > 0) {
      this.events.conversationsChanged?.();
      void this.sender.flush();
    }
    return read;
  }

  /** Keeps PREKEY_TARGET one-time prekeys on the relay (account.ts). */
  async replenishPrekeys(): Promise<void> {
    await topUpPrekeys({ relay: this.relay, store: this.o.store, rng: this.o.rng }, this.keys, (next) => (this.keys = next));
  }

  private notice(n: DeviceNotice): void {
    const line = deviceNoticeLine({ store: this.o.store, account: this.o.account, rng: this.o.rng, now: this.now }, n);
    if (line) this.events.messageAdded?.(line);
  }
}
