import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../../main/core/messaging/content';
import { requeueFailed } from '../../../main/core/messaging/outgoing';
import { openTempStore, outgoing } from '../store/helpers';

const ID1 = 'a1'.repeat(16);
const ID2 = 'b2'.repeat(16);
const ID3 = 'c3'.repeat(16);
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

  it('queues a failed group message again through the group, in the same transaction as its status', () => {
    const { store } = openTempStore();
    store.conversations.create({ id: 'group:night', kind: 'group', title: 'Night shift', now: 1, members: ['me@ward', 'amy@ward', 'bob@ward'] });
    store.messages.insertOutgoing(outgoing('group:night', { id: ID3, body: 'bed 4 needs a review' }), []);
    expect(store.messages.setStatus(ID3, 'failed')).toBe(true);
    const queued: { groupId: string; messageId: string; content: unknown; statusMeanwhile?: string }[] = [];
    const groups = {
      queueContent: (groupId: string, messageId: string, content: unknown) => {
        queued.push({ groupId, messageId, content, statusMeanwhile: store.messages.get(messageId)?.status });
      },
    };

    requeueFailed({ store, account, now: () => 5_000, groups }, ID3);

    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ groupId: 'group:night', messageId: ID3, content: { t: 'text', id: ID3, text: 'bed 4 needs a review' }, statusMeanwhile: 'pending' });
    expect(store.messages.get(ID3)?.status).toBe('pending');
    expect(store.outbox.forMessage(ID3)).toEqual([]); // nothing went the direct way
  });

  it('leaves a group message failed when queueing it through the group fails', () => {
    const { store } = openTempStore();
    store.conversations.create({ id: 'group:night', kind: 'group', title: 'Night shift', now: 1, members: ['me@ward', 'amy@ward'] });
    store.messages.insertOutgoing(outgoing('group:night', { id: ID3 }), []);
    expect(store.messages.setStatus(ID3, 'failed')).toBe(true);
    const broken = {
      queueContent: () => {
        throw new Error('group state unavailable');
      },
    };
    expect(() => requeueFailed({ store, account, now: () => 5_000, groups: broken }, ID3)).toThrow(/group state unavailable/);
    expect(store.messages.get(ID3)?.status).toBe('failed');
  });
});
