import { describe, expect, it } from 'vitest';
import { incoming, openTempStore, outgoing, withConversation } from './helpers';

describe('conversation list', () => {
  it('orders by last activity, with unread counts and a preview of the newest message', () => {
    const { store } = openTempStore();
    withConversation(store, 'a', 1);
    withConversation(store, 'b', 2);
    withConversation(store, 'empty', 3);
    store.messages.insert(incoming('a', { body: 'first', receivedAt: 10 }));
    store.messages.insert(incoming('a', { body: 'x'.repeat(500), receivedAt: 40 }));
    store.messages.insert(incoming('b', { body: 'b1', receivedAt: 20 }));
    store.messages.insert(outgoing('b', { body: 'my answer', sentAt: 30 }));
    const list = store.conversations.list();
    expect(list.map((c) => [c.id, c.unreadCount])).toEqual([['a', 2], ['b', 1], ['empty', 0]]);
    expect(list[0]?.lastMessage?.preview).toHaveLength(120);
    expect(list[1]?.lastMessage).toMatchObject({ direction: 'out', preview: 'my answer' });
    expect(list[2]?.lastMessage).toBeNull();
    expect(store.conversations.list({ limit: 1 })).toHaveLength(1);
  });

  it('marks incoming messages read up to a point and returns them for read receipts', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { id: 'i1', receivedAt: 10 }));
    store.messages.insert(incoming(c, { id: 'i2', receivedAt: 20 }));
    store.messages.insert(outgoing(c, { id: 'o1', sentAt: 15 }));
    expect(store.conversations.markRead(c, 100, 15).map((m) => m.id)).toEqual(['i1']);
    expect(store.conversations.unreadCount(c)).toBe(1);
    expect(store.conversations.markRead(c, 101).map((m) => m.senderMessageId)).toEqual(['s-i2']);
    expect(store.conversations.markRead(c, 102)).toEqual([]);
    expect(store.messages.get('i1')?.readAt).toBe(100);
  });

  it('keeps members, renames, and deletes a conversation with everything in it', () => {
    const { store } = openTempStore();
    store.conversations.create({ id: 'g', kind: 'group', title: 'Night shift', now: 1, members: ['amy', 'bob'] });
    store.conversations.addMember('g', 'cal');
    store.conversations.removeMember('g', 'amy');
    expect(store.conversations.members('g')).toEqual(['bob', 'cal']);
    store.conversations.setTitle('g', 'Nights');
    expect(store.conversations.get('g')?.title).toBe('Nights');
    store.messages.insert(incoming('g'));
    expect(store.conversations.remove('g')).toBe(true);
    expect(store.messages.count()).toBe(0);
    expect(store.conversations.members('g')).toEqual([]);
  });
});
