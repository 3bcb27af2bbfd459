import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../../main/core/messaging/content';
import { requeueFailed } from '../../../main/core/messaging/outgoing';
import { openTempStore, outgoing } from '../store/helpers';

const ID1 = 'a1'.repeat(16);
const ID2 = 'b2'.repeat(16);
const account = { userId: 'me@ward' };
const noGroups = {
  queueContent: () => {
    throw new Error('a direct message must not go through the group path');
  },
};

describe('retrying a failed message', () => {
  it('puts a failed direct message back in the outbox for the colleague, under the same id, as pending', () => {
    const { store } = openTempStore();
    store.conversations.create({ id: 'direct:bob', kind: 'direct', title: 'Bob', now: 1, members: ['bob@ward'] });
    store.messages.insertOutgoing(outgoing('direct:bob', { id: ID1, body: 'potassium 6.1, please review', urgent: true }), []);
    expect(store.messages.setStatus(ID1, 'failed')).toBe(true);

    requeueFailed({ store, account, now: () => 5_000, groups: noGroups }, ID1);

    expect(store.messages.get(ID1)?.status).toBe('pending');
    const entries = store.outbox.forMessage(ID1);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'fanout', recipientUserId: 'bob@ward', nextAttemptAt: 5_000 });
    expect(decodeContent(entries[0]!.payload!)).toMatchObject({ t: 'text', id: ID1, text: 'potassium 6.1, please review', urgent: true });
  });

  it('refuses a message that has not failed, or is not ours, and changes nothing', () => {
    const { store } = openTempStore();
    store.conversations.create({ id: 'direct:bob', kind: 'direct', title: 'Bob', now: 1, members: ['bob@ward'] });
    store.messages.insertOutgoing(outgoing('direct:bob', { id: ID2 }), []);
    expect(() => requeueFailed({ store, account, now: () => 5_000, groups: noGroups }, ID2)).toThrow(/only a failed message/);
    expect(() => requeueFailed({ store, account, now: () => 5_000, groups: noGroups }, 'nope')).toThrow(/only a failed message/);
    expect(store.messages.get(ID2)?.status).toBe('pending');
    expect(store.outbox.forMessage(ID2)).toEqual([]);
  });
});
