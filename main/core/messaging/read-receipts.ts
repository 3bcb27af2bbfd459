import { encodeContent } from './content';
import type { ContentBody } from './content';
import type { EngineParts } from './parts';

/** Receipts and read-state copies carry at most this many ids each (the content schema's limit). */
const IDS_PER_RECEIPT = 500;

/**
 * Read receipts to `sender` for the messages of theirs this clinician read, and with each the
 * read state for our own other workstations (`sync` builds it: `read-sync` in a direct
 * conversation, `group-read-sync` in a group). Enqueued only; the caller flushes the outbox.
 */
export function queueReadReceipts(parts: Pick<EngineParts, 'store' | 'account' | 'now'>, sender: string, ids: readonly string[], sync: (ids: string[]) => ContentBody): void {
  const { store, account, now } = parts;
  for (let i = 0; i < ids.length; i += IDS_PER_RECEIPT) {
    const chunk = ids.slice(i, i + IDS_PER_RECEIPT);
    store.outbox.enqueue({ kind: 'fanout', recipientUserId: sender, payload: encodeContent({ t: 'receipt', kind: 'read', ids: chunk, at: now() }), nextAttemptAt: now(), createdAt: now() });
    store.outbox.enqueue({ kind: 'fanout', recipientUserId: account.userId, payload: encodeContent(sync(chunk)), nextAttemptAt: now(), createdAt: now() });
  }
}
