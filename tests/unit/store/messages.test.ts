import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statusTransitionAllowed } from '../../../main/core/store';
import type { MessageStatus } from '../../../main/core/store';
import { openEncryptedHandle } from '../../../main/core/store/connection';
import { decodeCursor, encodeCursor } from '../../../main/core/store/cursor';
import { incoming, openTempStore, outgoing, withConversation } from './helpers';

describe('message pages', () => {
  it('pages newest first by cursor and visits every message exactly once, ties included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (times, pageSize) => {
          const { store } = openTempStore();
          const c = withConversation(store);
          withConversation(store, 'other');
          times.forEach((t, i) => store.messages.insert(incoming(c, { id: `m${i}`, sentAt: t, receivedAt: t })));
          store.messages.insert(incoming('other', { id: 'noise' }));
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page = store.messages.page(c, { before: cursor, limit: pageSize });
            expect(page.items.length).toBeLessThanOrEqual(pageSize);
            seen.push(...page.items.map((m) => m.id));
            cursor = page.nextCursor;
          } while (cursor);
          // expected order: sort time desc, then insertion order desc
          const expected = times.map((t, i) => ({ t, i })).sort((a, b) => b.t - a.t || b.i - a.i).map((x) => `m${x.i}`);
          expect(seen).toEqual(expected);
          store.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trips cursors and rejects malformed ones', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 52 }), (sortAt, seq) => {
      expect(decodeCursor(encodeCursor({ sortAt, seq }))).toEqual({ sortAt, seq });
    }));
    const { store } = openTempStore();
    const c = withConversation(store);
    for (const bad of ['', 'abc', '1.', '1.2.3', '1e5.2', '9999999999999999999.1']) {
      expect(() => store.messages.page(c, { before: bad })).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });

  it('orders incoming messages by local receipt time, outgoing by send time', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { id: 'late-clock', sentAt: 5_000, receivedAt: 100 }));
    store.messages.insert(outgoing(c, { id: 'mine', sentAt: 200 }));
    expect(store.messages.page(c).items.map((m) => m.id)).toEqual(['mine', 'late-clock']);
  });

  it('keeps the conversation activity time at the newest message', () => {
    const { store } = openTempStore();
    const c = withConversation(store, 'c1', 10);
    store.messages.insert(incoming(c, { receivedAt: 500 }));
    store.messages.insert(incoming(c, { receivedAt: 300 }));
    expect(store.conversations.get(c)?.lastActivityAt).toBe(500);
  });
});

describe('message status', () => {
  const statuses: MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'failed', 'received'];

  it('only moves an outgoing status forward; receipts out of order never undo read', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(outgoing(c, { id: 'o1' }));
    expect(store.messages.setStatus('o1', 'sent')).toBe(true);
    expect(store.messages.setStatus('o1', 'read')).toBe(true);
    expect(store.messages.setStatus('o1', 'delivered')).toBe(false);
    expect(store.messages.get('o1')?.status).toBe('read');
    expect(store.messages.setStatus('missing', 'sent')).toBe(false);
  });

  it('allows failed only from pending and a retry from failed back to pending', () => {
    expect(statusTransitionAllowed('pending', 'failed')).toBe(true);
    expect(statusTransitionAllowed('sent', 'failed')).toBe(false);
    expect(statusTransitionAllowed('failed', 'pending')).toBe(true);
    expect(statusTransitionAllowed('failed', 'sent')).toBe(true);
  });

  it('never changes an incoming message and never goes backwards along pending, sent, delivered, read', () => {
    const rank = { pending: 0, sent: 1, delivered: 2, read: 3 } as Record<string, number>;
    fc.assert(fc.property(fc.constantFrom(...statuses), fc.constantFrom(...statuses), (from, to) => {
      const ok = statusTransitionAllowed(from, to);
      if (from === 'received' || to === 'received') expect(ok).toBe(false);
      if (rank[from] !== undefined && rank[to] !== undefined && rank[to]! <= rank[from]!) expect(ok).toBe(false);
    }));
  });
});

describe('outgoing messages and the outbox', () => {
  it('writes a message and its outbox entries in one transaction', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    const entry = { kind: 'message', recipientUserId: 'bob@ward', recipientDeviceId: 'd1', nextAttemptAt: 10, createdAt: 10 };
    store.messages.insertOutgoing(outgoing(c, { id: 'o1' }), [entry, { ...entry, recipientDeviceId: 'd2' }]);
    expect(store.outbox.forMessage('o1').map((e) => e.recipientDeviceId)).toEqual(['d1', 'd2']);
    // A failing entry (unknown column value) rolls the message back too.
    expect(() => store.messages.insertOutgoing(outgoing(c, { id: 'o2' }), [{ ...entry, recipientUserId: null as unknown as string }])).toThrow();
    expect(store.messages.get('o2')).toBeNull();
    expect(store.outbox.count()).toBe(2);
  });

  it('lists due entries oldest first, records attempts with backoff, and removes acked ones', () => {
    const { store } = openTempStore();
    const a = store.outbox.enqueue({ kind: 'receipt', recipientUserId: 'u', nextAttemptAt: 5, createdAt: 1, payload: new Uint8Array([7]) });
    const b = store.outbox.enqueue({ kind: 'receipt', recipientUserId: 'u', nextAttemptAt: 3, createdAt: 1 });
    store.outbox.enqueue({ kind: 'receipt', recipientUserId: 'u', nextAttemptAt: 50, createdAt: 1 });
    expect(store.outbox.due(10).map((e) => e.id)).toEqual([b, a]);
    store.outbox.markAttempt(b, { nextAttemptAt: 20, error: 'offline' });
    expect(store.outbox.due(10).map((e) => e.id)).toEqual([a]);
    expect(store.outbox.get(b)).toMatchObject({ attempts: 1, lastError: 'offline', nextAttemptAt: 20 });
    expect(store.outbox.get(a)?.payload).toEqual(new Uint8Array([7]));
    expect(store.outbox.remove(a)).toBe(true);
    expect(store.outbox.due(100).map((e) => e.id)).toHaveLength(2);
  });

  it('deleting a message removes its outbox entries and attachments', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insertOutgoing(outgoing(c, { id: 'o1' }), [{ kind: 'message', recipientUserId: 'b', nextAttemptAt: 1, createdAt: 1 }]);
    store.attachments.add({ id: 'a1', messageId: 'o1', fileName: 'x.png', mimeType: 'image/png', size: 1, sha256: new Uint8Array(32), state: 'pending', createdAt: 1 });
    expect(store.messages.remove('o1')).toBe(true);
    expect(store.outbox.count()).toBe(0);
    expect(store.attachments.get('a1')).toBeNull();
  });
});

describe('deleting chosen messages', () => {
  it('removes them, their search entries and their words from the FTS index pages, and nothing else', () => {
    const { store, path, key } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { id: 'gone-1', body: 'potassium 6.9 for zqxjkvdeleted' }));
    store.messages.insert(incoming(c, { id: 'gone-2', body: 'zqxjkvdeleted again' }));
    store.messages.insert(incoming(c, { id: 'kept', body: 'bloods back normal' }));
    expect(store.search.messages('zqxjkvdeleted')).toHaveLength(2);
    const rawIndex = () => {
      const db = openEncryptedHandle(path, key, false);
      try {
        return (db.prepare('SELECT block FROM messages_fts_data').all() as { block: Uint8Array | null }[]).some((r) => r.block && Buffer.from(r.block).includes('zqxjkvdeleted'));
      } finally {
        db.close();
      }
    };
    expect(rawIndex()).toBe(true);

    expect(store.messages.removeMany(['gone-1', 'gone-2', 'gone-1', 'no-such'])).toBe(2);
    expect(store.messages.get('gone-1')).toBeNull();
    expect(store.search.messages('zqxjkvdeleted')).toEqual([]);
    expect(store.search.messages('bloods').map((h) => h.messageId)).toEqual(['kept']);
    // Hidden behind a tombstone until the merge steps run (the engine runs them right after).
    expect(store.messages.searchMergePending()).toBe(true);
    let steps = 0;
    while (store.messages.mergeSearchStep(1)) steps++;
    expect(steps).toBeGreaterThan(0);
    expect(store.messages.searchMergePending()).toBe(false);
    // Merged: the word is in no index page, not only hidden behind a tombstone.
    expect(rawIndex()).toBe(false);
    expect(store.messages.removeMany(['kept-not', 'gone-2'])).toBe(0);
  });
});
