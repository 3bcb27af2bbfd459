import type { Rng } from '../crypto';
import type { Store } from '../store';
import type { Account } from './account';
import { encodeContent, MAX_TIMER_SECONDS } from './content';
import type { Groups } from './groups';
import { localLineId, newMessageId, peerOfDirect } from './ids';

/**
 * Disappearing messages (issue 11): a per-conversation timer every member's devices agree on.
 * Each setting travels as `timer {seconds, at}` content to everyone in the conversation and to
 * the setter's own other workstations; every device keeps the newest (by `at`, then by setter id:
 * store/repos/conversations.ts setTimer), so they end with the same timer whatever the order of
 * arrival. The organisation's retentionDays caps it: a longer timer is refused when set and cut
 * to the cap when received. The retention sweeper deletes what has run out.
 */
export const TIMER_CHOICES_SECONDS = [5 * 60, 60 * 60, 8 * 60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60, MAX_TIMER_SECONDS] as const;

/** The longest timer the policy allows, in seconds. */
export function timerCap(retentionDays: number): number {
  return retentionDays > 0 ? Math.min(MAX_TIMER_SECONDS, retentionDays * 24 * 60 * 60) : MAX_TIMER_SECONDS;
}

export function describeDuration(seconds: number): string {
  const units: [number, string][] = [[7 * 24 * 3600, 'week'], [24 * 3600, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/**
 * Applies a setting (ours or received) if it is the newest, with a line in the conversation
 * saying who set what. Returns the line's message id, or null when an older setting was ignored.
 */
export function applyTimer(
  deps: { store: Store; rng: Rng; now: () => number; me: { userId: string; deviceId: string } },
  conversationId: string,
  setting: { seconds: number; at: number; by: string; byName: string },
  cap: number,
): string | null {
  const { store } = deps;
  const seconds = Math.min(setting.seconds, cap);
  if (!store.conversations.get(conversationId)) return null;
  if (!store.conversations.setTimer(conversationId, { seconds, setAt: setting.at, setBy: setting.by })) return null;
  const who = setting.by === deps.me.userId ? 'You' : setting.byName;
  const text = seconds === 0
    ? `${who} turned off disappearing messages.`
    : `${who} set disappearing messages to ${describeDuration(seconds)}. New messages in this conversation are deleted from every member's workstations that long after they arrive.`;
  const id = newMessageId(deps.rng);
  store.messages.insert({
    id, conversationId, direction: 'in', senderUserId: deps.me.userId, senderDeviceId: deps.me.deviceId,
    senderMessageId: localLineId('news', id), kind: 'system', body: text, status: 'received', sentAt: deps.now(), receivedAt: deps.now(),
  });
  return id;
}

/**
 * This clinician sets the conversation's timer (0 turns it off): applied here at once and queued
 * as `timer` content for the others and our own other workstations, in one transaction. Refuses
 * (RangeError, a sentence for the clinician) a timer longer than `cap`. Returns the line's id.
 */
export function setTimer(
  deps: { store: Store; rng: Rng; now: () => number; account: Account; groups: Pick<Groups, 'queueBody'> },
  conversationId: string,
  seconds: number,
  cap: number,
): string | null {
  const { store, account } = deps;
  const conversation = store.conversations.get(conversationId);
  if (!conversation) throw new Error('no such conversation');
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > cap) {
    throw new RangeError(`Your organisation keeps messages at most ${describeDuration(cap)}: choose a shorter time.`);
  }
  const at = deps.now();
  const body = { t: 'timer' as const, seconds, at };
  return store.transaction(() => {
    const id = applyTimer({ ...deps, me: account }, conversationId, { seconds, at, by: account.userId, byName: account.displayName }, cap);
    if (conversation.kind === 'group') {
      deps.groups.queueBody(conversationId, body);
    } else {
      const peer = peerOfDirect(conversationId);
      if (!peer) throw new Error('conversation has no other member');
      store.outbox.enqueue({ kind: 'fanout', recipientUserId: peer, payload: encodeContent(body), nextAttemptAt: at, createdAt: at });
      store.outbox.enqueue({ kind: 'fanout', recipientUserId: account.userId, payload: encodeContent({ ...body, peer }), nextAttemptAt: at, createdAt: at });
    }
    return id;
  });
}
