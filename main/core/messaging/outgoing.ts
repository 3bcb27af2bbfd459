import type { Store } from '../store';
import type { Account } from './account';
import { encodeContent } from './content';
import type { ContentBody } from './content';
import type { Groups } from './groups';

/** A direct message's outbox entries: to the colleague's workstations, and a copy to our own others. */
export function directEntries(account: Account, peer: string, content: Extract<ContentBody, { t: 'text' | 'attachment' }>, at: number) {
  return [
    { kind: 'fanout', recipientUserId: peer, payload: encodeContent(content), nextAttemptAt: at, createdAt: at },
    { kind: 'fanout', recipientUserId: account.userId, payload: encodeContent({ t: 'sent', to: peer, message: content }), nextAttemptAt: at, createdAt: at },
  ];
}

/**
 * A failed message of ours goes back into the outbox as new, under the same id: a recipient who
 * did get the first attempt drops the copy by its dedupe marker. The caller announces the change
 * and flushes the outbox.
 */
export function requeueFailed(deps: { store: Store; account: Pick<Account, 'userId'>; now: () => number; groups: Pick<Groups, 'queueContent'> }, messageId: string): void {
  const { store, account, now, groups } = deps;
  const m = store.messages.get(messageId);
  if (!m || m.direction !== 'out' || m.status !== 'failed') throw new Error('only a failed message of ours can be retried');
  if (store.conversations.get(m.conversationId)?.kind === 'group') {
    store.transaction(() => {
      store.messages.resetStatus(messageId, 'pending');
      groups.queueContent(m.conversationId, messageId, { t: 'text', id: messageId, sentAt: m.sentAt, text: m.body });
    });
    return;
  }
  const peer = store.conversations.members(m.conversationId).find((u) => u !== account.userId);
  if (!peer) throw new Error('conversation has no other member');
  store.transaction(() => {
    store.messages.resetStatus(messageId, 'pending');
    store.outbox.enqueue({ kind: 'fanout', messageId, recipientUserId: peer, payload: encodeContent({ t: 'text', id: messageId, sentAt: m.sentAt, text: m.body, ...(m.urgent ? { urgent: true as const } : {}) }), nextAttemptAt: now(), createdAt: now() });
  });
}
