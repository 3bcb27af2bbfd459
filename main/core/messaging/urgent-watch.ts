import type { Store } from '../store';
import type { Account } from './account';
import { encodeContent } from './content';
import { peerOfDirect } from './ids';
import type { SweepTimers } from './retention';

export interface UrgentWatchOptions {
  store: Store;
  timers: SweepTimers;
  now: () => number;
  /** The organisation's urgentUndeliveredMinutes, read at every check. */
  minutes(): number;
  /** A system line was added to a conversation. */
  added(messageId: string): void;
  newId(): string;
}

/**
 * The sender's side of an urgent message: if no workstation of the recipient has stored it
 * (no 'delivered' receipt) within the policy's minutes, a safety line says so in the
 * conversation, once, so the clinician phones instead of waiting. One timer, set for the
 * earliest message that could become due; the warned time in the store keeps it to once across
 * restarts.
 */
export class UrgentWatch {
  #timer: unknown = null;
  #stopped = true;

  constructor(private readonly o: UrgentWatchOptions) {}

  start(): void {
    this.#stopped = false;
    this.check();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Warns about every overdue message and sets the timer for the next; call after sending an urgent one. */
  check(): void {
    if (this.#stopped) return;
    if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    const { store } = this.o;
    const minutes = this.o.minutes();
    const wait = minutes * 60_000;
    let next = Infinity;
    const added: string[] = [];
    try {
      store.transaction(() => {
        for (const m of store.messages.undeliveredUrgent()) {
          const due = m.sentAt + wait;
          if (due > this.o.now()) {
            next = Math.min(next, due);
            continue;
          }
          if (!store.messages.markUndeliveredWarned(m.id, this.o.now())) continue;
          const peer = peerOfDirect(m.conversationId);
          const name = (peer && store.contacts.get(peer)?.displayName) || 'the recipient';
          const id = this.o.newId();
          store.messages.insert({
            id, conversationId: m.conversationId, direction: 'in', senderUserId: peer ?? '', senderDeviceId: '',
            senderMessageId: `notice-${id}`, kind: 'system', status: 'received', sentAt: this.o.now(), receivedAt: this.o.now(),
            body: `Not yet received by ${name} after ${minutes} minute${minutes === 1 ? '' : 's'} — consider phoning.`,
          });
          added.push(id);
        }
      });
    } catch {
      // The store closed under us (locking); the next unlock checks again.
      return;
    }
    for (const id of added) this.o.added(id);
    if (next !== Infinity) this.#timer = this.o.timers.setTimeout(() => this.check(), Math.max(1000, next - this.o.now()));
  }
}

/**
 * Acknowledges an urgent message sent to us: recorded here, with `ack` queued to the sender's
 * workstations (who see who acknowledged and when) and `ack-sync` to our own others (their alerts
 * stop), in one transaction. False when it was acknowledged already.
 */
export function acknowledgeUrgent(deps: { store: Store; account: Account; now: () => number }, messageId: string): boolean {
  const { store, account } = deps;
  const m = store.messages.get(messageId);
  if (!m || m.direction !== 'in' || !m.urgent) throw new Error('only an urgent message to us can be acknowledged');
  const peer = peerOfDirect(m.conversationId);
  const at = deps.now();
  return store.transaction(() => {
    if (!store.messages.setAcknowledged(messageId, at)) return false;
    store.outbox.enqueue({ kind: 'fanout', recipientUserId: m.senderUserId, payload: encodeContent({ t: 'ack', ids: [m.senderMessageId], at }), nextAttemptAt: at, createdAt: at });
    if (peer) store.outbox.enqueue({ kind: 'fanout', recipientUserId: account.userId, payload: encodeContent({ t: 'ack-sync', peer, ids: [m.senderMessageId], at }), nextAttemptAt: at, createdAt: at });
    return true;
  });
}
