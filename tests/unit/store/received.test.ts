import { describe, expect, it } from 'vitest';
import type { ReceivedInput } from '../../../main/core/store';
import { incoming, openTempStore, withConversation } from './helpers';

function envelope(conversationId: string, senderMessageId: string, record: number, id = `local-${senderMessageId}`): ReceivedInput {
  const message = incoming(conversationId, { id, senderUserId: 'bob@ward', senderDeviceId: 'd2', senderMessageId });
  return {
    message,
    sessionUpdate: { userId: 'bob@ward', deviceId: 'd2', record: new Uint8Array([record]) },
    dedupeMarker: { senderUserId: 'bob@ward', senderDeviceId: 'd2', senderMessageId },
    now: 100,
  };
}

describe('storeReceived', () => {
  it('stores the message, the ratchet state and the dedupe marker together', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    expect(store.storeReceived(envelope(c, 's1', 1))).toBe('stored');
    expect(store.messages.get('local-s1')?.body).toBeDefined();
    expect(store.sessions.get('bob@ward', 'd2')).toEqual(new Uint8Array([1]));
    expect(store.messages.findByMarker({ senderUserId: 'bob@ward', senderDeviceId: 'd2', senderMessageId: 's1' })?.id).toBe('local-s1');
  });

  it('reports a re-delivered envelope as duplicate and changes nothing, the ratchet included', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.storeReceived(envelope(c, 's1', 1));
    expect(store.storeReceived(envelope(c, 's1', 9, 'local-again'))).toBe('duplicate');
    expect(store.sessions.get('bob@ward', 'd2')).toEqual(new Uint8Array([1]));
    expect(store.messages.get('local-again')).toBeNull();
    expect(store.messages.count(c)).toBe(1);
  });

  it('still recognises the duplicate after the message itself was deleted', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.storeReceived(envelope(c, 's1', 1));
    store.messages.remove('local-s1');
    expect(store.storeReceived(envelope(c, 's1', 2))).toBe('duplicate');
  });

  it('the same sender message id from another device of the sender is not a duplicate', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.storeReceived(envelope(c, 's1', 1));
    const other = envelope(c, 's1', 1, 'from-device-3');
    other.message = { ...other.message!, senderDeviceId: 'd3' };
    other.dedupeMarker = { ...other.dedupeMarker, senderDeviceId: 'd3' };
    other.sessionUpdate = { ...other.sessionUpdate, deviceId: 'd3' };
    expect(store.storeReceived(other)).toBe('stored');
  });

  it('writes none of the three when one fails (here: the message refers to an unknown conversation)', () => {
    const { store } = openTempStore();
    expect(() => store.storeReceived(envelope('no-such-conversation', 's1', 1))).toThrow(/FOREIGN KEY/);
    expect(store.sessions.get('bob@ward', 'd2')).toBeNull();
    expect(store.messages.findByMarker({ senderUserId: 'bob@ward', senderDeviceId: 'd2', senderMessageId: 's1' })).toBeNull();
    // ...so the re-delivery after the failure is stored, not dropped as a duplicate.
    withConversation(store, 'no-such-conversation');
    expect(store.storeReceived(envelope('no-such-conversation', 's1', 1))).toBe('stored');
  });

  it('accepts envelopes without a visible message (receipts) and refuses a marker that does not match', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    const receipt = { ...envelope(c, 'r1', 4), message: null };
    expect(store.storeReceived(receipt)).toBe('stored');
    expect(store.storeReceived(receipt)).toBe('duplicate');
    const bad = envelope(c, 's2', 1);
    bad.dedupeMarker = { ...bad.dedupeMarker, senderMessageId: 'other' };
    expect(() => store.storeReceived(bad)).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('lets callers group their own writes with transaction()', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    expect(() => store.transaction(() => {
      store.messages.insert(incoming(c, { id: 'x' }));
      store.settings.set('k', 1);
      throw new Error('abort');
    })).toThrow('abort');
    expect(store.messages.get('x')).toBeNull();
    expect(store.settings.get('k')).toBeUndefined();
  });
});
