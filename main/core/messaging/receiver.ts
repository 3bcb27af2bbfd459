import { decodeBase64, MAX_ACK_IDS } from '../../../protocol/relay';
import { RelayRequestError } from '../net/relay-client';
import type { RelayPush } from '../../../protocol/relay';
import { acceptIntoRecord, decryptWithRecord, deserializeSessionRecord, isCryptoError, messageKind, serializeDeviceKeys, serializeSessionRecord } from '../crypto';
import type { DeviceKeys } from '../crypto';
import type { NewMessage } from '../store';
import { ContentError, decodeContent, encodeContent } from './content';
import type { ContentBody } from './content';
import type { DeviceDirectory } from './directory';
import { applyTimer } from './disappearing';
import { GroupDrop, Groups } from './groups';
import type { GroupEffects } from './groups';
import { directConversationId, newMessageId } from './ids';
import type { EngineParts } from './parts';

type Delivered = RelayPush<'envelope.deliver'>['envelopes'][number];

export interface ReceiverEvents {
  added(messageId: string): void;
  statusChanged(messageId: string): void;
  conversationsChanged(): void;
  attachmentArrived(messageId: string): void;
  queued(): void;
  /** A conversation's disappearing-messages timer changed. */
  timerChanged(): void;
}

/** Envelopes worked on between two acknowledgements. */
const BATCH = 200;

/** An envelope that can never be processed: acknowledge it so it does not block the queue. */
class Unprocessable extends Error {}

/**
 * Turns delivered envelopes into stored messages, strictly in the relay's order: decrypt, then
 * commit the message, the ratchet step, any consumed prekey and the dedupe marker in one
 * transaction, and only then acknowledge the relay. A crash before the commit means the relay
 * delivers again; after it, the marker makes the repeat a no-op. Garbage, replays and messages
 * for sessions we do not have are logged (never their content) and acknowledged, since they can
 * never succeed; a network failure stops the batch without acknowledging, to be retried.
 */
export class Receiver {
  private queue: Delivered[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  /** Envelopes committed (or never processable) that the relay has not yet confirmed as acknowledged. */
  private readonly unacked = new Set<number>();
  private ackRetry: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: EngineParts & {
      directory: DeviceDirectory;
      deviceKeys: { get(): DeviceKeys; set(k: DeviceKeys): void };
      groups: Groups;
      /** The longest disappearing-messages timer the policy allows (seconds). */
      timerCap: () => number;
      events: ReceiverEvents;
    },
  ) {}

  /** Adds pushed envelopes behind those waiting; one already waiting is not queued twice. */
  enqueue(envelopes: readonly Delivered[]): Promise<void> {
    const known = new Set(this.queue.map((e) => e.id));
    for (const e of envelopes) if (!known.has(e.id)) this.queue.push(e);
    return this.drain();
  }

  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.draining) {
      this.draining = this.run()
        .catch((err: unknown) => {
          // The profile locked mid-batch (its store closed): nothing was acknowledged, the relay keeps it all.
          if (!this.stopped) this.deps.log('receive.batch_failed', { reason: err instanceof Error ? err.name : 'error' });
        })
        .finally(() => (this.draining = null));
    }
    return this.draining;
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    if (this.ackRetry) clearTimeout(this.ackRetry);
  }

  private async run(): Promise<void> {
    // Acknowledgements the relay has not taken yet (refused, or the connection dropped) go first.
    await this.acknowledge();
    while (this.queue.length > 0 && !this.stopped) {
      // Taken off the queue while it is worked on: a copy the relay pushes again meanwhile (after
      // a reconnect) is queued anew and, its marker already committed, only acknowledged.
      const batch = this.queue.splice(0, BATCH);
      let queued = false;
      let deferred = -1;
      for (const [index, envelope] of batch.entries()) {
        if (this.stopped) return;
        // One envelope (decrypt, one commit) at a time on the main thread: clicks, IPC and timers
        // run in between, however long the backlog after a night locked.
        await yieldToEventLoop();
        if (this.stopped) return;
        try {
          queued = (await this.process(envelope)) || queued;
          this.unacked.add(envelope.id);
        } catch (err) {
          if (err instanceof Unprocessable) {
            this.unacked.add(envelope.id);
            continue;
          }
          // Transient (the relay did not answer a directory look-up): keep this and later ones.
          this.deps.log('receive.deferred', { envelope: envelope.id, reason: err instanceof Error ? err.name : 'error' });
          deferred = index;
          break;
        }
      }
      // Receipts and replies of the whole batch leave in one outbox pass, not one pass each.
      if (queued) this.deps.events.queued();
      await this.acknowledge();
      if (deferred >= 0) {
        // Try the same envelopes again shortly, in order; the relay keeps them until acknowledged.
        const rest = batch.slice(deferred);
        const again = new Set(rest.map((e) => e.id));
        this.queue = [...rest, ...this.queue.filter((e) => !again.has(e.id))];
        setTimeout(() => void this.drain(), 2000).unref?.();
        return;
      }
    }
  }

  /**
   * Tells the relay which envelopes are done with. Until it has been told, the relay keeps them
   * and counts them against this device's delivery window, so a refused or lost acknowledgement
   * is kept and sent again: after the wait a refusal names, or on the next connection.
   */
  private async acknowledge(): Promise<void> {
    while (this.unacked.size > 0 && !this.stopped) {
      const ids = [...this.unacked].slice(0, MAX_ACK_IDS);
      try {
        await this.deps.relay.request('envelope.ack', { ids });
      } catch (err) {
        const failure = err instanceof RelayRequestError ? err : null;
        this.deps.log('receive.ack_failed', { count: ids.length, code: failure?.code ?? 'error' });
        // Disconnected: the engine drains again once the relay has accepted this device.
        if (failure?.code === 'disconnected' || this.ackRetry) return;
        this.ackRetry = setTimeout(() => {
          this.ackRetry = null;
          void this.drain();
        }, Math.min(Math.max(failure?.retryAfterMs ?? 0, 200), 5000));
        this.ackRetry.unref?.();
        return;
      }
      for (const id of ids) this.unacked.delete(id);
    }
  }

  /** Processes one envelope; true when it queued something to send (a receipt, a reply). */
  private async process(envelope: Delivered): Promise<boolean> {
    const { store, account, log } = this.deps;
    const marker = { senderUserId: envelope.senderUserId, senderDeviceId: envelope.senderDeviceId, senderMessageId: envelope.senderMessageId };
    if (store.messages.hasMarker(marker)) return false;
    if (envelope.senderUserId === account.userId && envelope.senderDeviceId === account.deviceId) throw this.drop(envelope, 'from_self');
    const identityKey = await this.deps.directory.identityOf(envelope.senderUserId, envelope.senderDeviceId);
    if (!identityKey) throw this.drop(envelope, 'uncertified_sender');

    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(envelope.payload);
    } catch {
      throw this.drop(envelope, 'not_base64');
    }
    if (Groups.isGroupMessage(bytes)) {
      let effects: GroupEffects;
      try {
        effects = this.deps.groups.receiveMessage(envelope, bytes, marker);
      } catch (err) {
        if (err instanceof GroupDrop) throw this.drop(envelope, err.message);
        throw err;
      }
      this.emit(effects);
      if (effects.attachment) this.deps.events.attachmentArrived(effects.attachment);
      log('receive.stored', { envelope: envelope.id, type: 'group' });
      return effects.queued;
    }
    const stored = store.sessions.get(envelope.senderUserId, envelope.senderDeviceId);
    let result: { session: Uint8Array; plaintext: Uint8Array; deviceKeys: DeviceKeys | null };
    try {
      // Every session kept with that device: a simultaneous start leaves messages in flight in the earlier one.
      const existing = stored ? deserializeSessionRecord(stored) : null;
      const kind = messageKind(bytes);
      if (kind === 'initial') {
        const accepted = acceptIntoRecord(this.deps.deviceKeys.get(), bytes, identityKey, existing);
        result = { session: serializeSessionRecord(accepted.record), plaintext: accepted.plaintext, deviceKeys: accepted.isNewSession ? accepted.deviceKeys : null };
      } else {
        if (!existing) throw this.drop(envelope, 'no_session');
        const next = decryptWithRecord(existing, bytes);
        result = { session: serializeSessionRecord(next.record), plaintext: next.plaintext, deviceKeys: null };
      }
    } catch (err) {
      if (err instanceof Unprocessable) throw err;
      if (isCryptoError(err)) throw this.drop(envelope, err.code);
      throw err;
    }

    let body: ContentBody;
    try {
      body = decodeContent(result.plaintext);
    } catch (err) {
      if (err instanceof ContentError) throw this.drop(envelope, 'bad_content');
      throw err;
    }
    const effects = this.apply(envelope, body, marker, { ...result, identityKey });
    this.emit(effects);
    if (effects.attachment) this.deps.events.attachmentArrived(effects.attachment);
    log('receive.stored', { envelope: envelope.id, type: body.t });
    return effects.queued;
  }

  private emit(effects: GroupEffects): void {
    for (const id of effects.added) this.deps.events.added(id);
    for (const id of effects.statusChanged) this.deps.events.statusChanged(id);
    if (effects.conversationsChanged || effects.added.length > 0 || effects.statusChanged.length > 0) this.deps.events.conversationsChanged();
    if (effects.timerChanged) this.deps.events.timerChanged();
  }

  /** Everything one envelope changes, in one transaction. */
  private apply(
    envelope: Delivered,
    body: ContentBody,
    marker: { senderUserId: string; senderDeviceId: string; senderMessageId: string },
    result: { session: Uint8Array; deviceKeys: DeviceKeys | null; identityKey: Uint8Array },
  ): GroupEffects & { attachment: string | null } {
    const { store, account, now } = this.deps;
    const effects = { added: [] as string[], statusChanged: [] as string[], conversationsChanged: false, attachment: null as string | null, queued: false, timerChanged: false };
    const fromMe = envelope.senderUserId === account.userId;
    store.transaction(() => {
      let message: NewMessage | null = null;
      if ((body.t === 'text' || body.t === 'attachment') && !fromMe) {
        message = this.visible(envelope, body, envelope.senderUserId, 'in', envelope.senderMessageId);
      } else if (body.t === 'sent' && fromMe) {
        // Our own message from another workstation: shown as sent by us, in the same conversation.
        message = this.visible(envelope, body.message, body.to, 'out', body.message.id);
      }
      const outcome = store.storeReceived({
        message,
        sessionUpdate: { userId: envelope.senderUserId, deviceId: envelope.senderDeviceId, record: result.session },
        dedupeMarker: marker,
        now: now(),
      });
      if (outcome === 'duplicate') return;
      if (result.deviceKeys) {
        // The one-time prekey this message used is gone from our keys in the same commit.
        store.account.setDeviceKeys(serializeDeviceKeys(result.deviceKeys));
        this.deps.deviceKeys.set(result.deviceKeys);
      }
      if (message) {
        effects.added.push(message.id);
        const content = body.t === 'sent' ? body.message : body;
        if (content.t === 'attachment') {
          const a = content.attachment;
          store.attachments.add({
            id: newMessageId(this.deps.rng),
            messageId: message.id,
            fileName: a.name,
            mimeType: a.mimeType,
            size: a.size,
            sha256: decodeBase64(a.sha256),
            state: 'pending',
            createdAt: now(),
            pointer: JSON.stringify(a),
            thumbnail: a.thumbnail ? decodeBase64(a.thumbnail) : null,
          });
          effects.attachment = message.id;
        }
        if (message.direction === 'in') {
          // Tell the sender's workstations it arrived: an encrypted receipt, through the outbox.
          store.outbox.enqueue({
            kind: 'fanout',
            recipientUserId: envelope.senderUserId,
            payload: encodeContent({ t: 'receipt', kind: 'delivered', ids: [envelope.senderMessageId], at: now() }),
            nextAttemptAt: now(),
            createdAt: now(),
          });
          effects.queued = true;
        }
      }
      if (body.t === 'receipt' && !fromMe) {
        for (const id of body.ids) {
          const mine = store.messages.findOwn(account.userId, id);
          if (!mine) continue;
          const changed = mine.conversationId === directConversationId(envelope.senderUserId)
            ? store.messages.setStatus(mine.id, body.kind)
            : this.deps.groups.recordReceipt(mine, envelope.senderUserId, body.kind, Math.min(body.at, now() + 60_000));
          if (changed) effects.statusChanged.push(mine.id);
        }
      }
      if (body.t === 'timer' && (fromMe ? body.peer !== undefined : body.peer === undefined)) {
        const conversationId = directConversationId(fromMe ? (body.peer as string) : envelope.senderUserId);
        const setting = { seconds: body.seconds, at: Math.min(body.at, now() + 60_000), by: envelope.senderUserId, byName: store.contacts.get(envelope.senderUserId)?.displayName ?? 'Your colleague' };
        const line = applyTimer({ store, rng: this.deps.rng, now, me: account }, conversationId, setting, this.deps.timerCap());
        if (line) effects.added.push(line);
        effects.timerChanged = true;
      }
      if (body.t === 'group-change' || body.t === 'sender-key' || body.t === 'group-read-sync') {
        this.deps.groups.applyPairwise(envelope, result.identityKey, body, effects);
      }
      if (body.t === 'ack' && !fromMe) {
        for (const id of body.ids) {
          const mine = store.messages.findOwn(account.userId, id);
          if (mine && mine.conversationId === directConversationId(envelope.senderUserId) && store.messages.setAcknowledged(mine.id, Math.min(body.at, now() + 60_000))) {
            effects.statusChanged.push(mine.id);
          }
        }
      }
      if (body.t === 'ack-sync' && fromMe) {
        for (const id of body.ids) {
          const theirs = store.messages.findUrgentIncoming(body.peer, id);
          if (theirs && store.messages.setAcknowledged(theirs.id, Math.min(body.at, now() + 60_000))) effects.statusChanged.push(theirs.id);
        }
      }
      if (body.t === 'read-sync' && fromMe) {
        const cleared = store.messages.markReadBySender(directConversationId(body.peer), body.peer, body.ids, now());
        if (cleared > 0) effects.statusChanged.push(...body.ids);
      }
    });
    return effects;
  }

  private visible(
    envelope: Delivered,
    content: Extract<ContentBody, { t: 'text' | 'attachment' }>,
    peer: string,
    direction: 'in' | 'out',
    senderMessageId: string,
  ): NewMessage {
    const { store, now } = this.deps;
    const conversationId = directConversationId(peer);
    if (!store.conversations.get(conversationId)) {
      const title = store.contacts.get(peer)?.displayName ?? 'Colleague';
      store.conversations.create({ id: conversationId, kind: 'direct', title, now: now(), members: [peer] });
    }
    return {
      id: direction === 'out' ? content.id : newMessageId(this.deps.rng),
      conversationId,
      direction,
      senderUserId: envelope.senderUserId,
      senderDeviceId: envelope.senderDeviceId,
      senderMessageId,
      kind: 'text',
      body: content.t === 'text' ? content.text : content.caption,
      status: direction === 'out' ? 'sent' : 'received',
      sentAt: Math.min(content.sentAt, now() + 60_000),
      receivedAt: now(),
      urgent: content.t === 'text' && content.urgent === true,
    };
  }

  private drop(envelope: Delivered, reason: string): Unprocessable {
    // Never the payload or any decrypted text: only who, which envelope, and why.
    this.deps.log('receive.dropped', { envelope: envelope.id, senderUserId: envelope.senderUserId, senderDeviceId: envelope.senderDeviceId, reason });
    return new Unprocessable(reason);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
