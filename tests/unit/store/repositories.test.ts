import { describe, expect, it } from 'vitest';
import { outgoing, openTempStore, withConversation } from './helpers';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('identity, prekeys, sessions, attachments, settings, access log', () => {
  it('keeps one identity for the profile', () => {
    const { store } = openTempStore();
    expect(store.identity.get()).toBeNull();
    const id = { userId: 'me', deviceId: 'd3', registrationId: 77, identityPublic: bytes(1), identityPrivate: bytes(2), createdAt: 5 };
    store.identity.set(id);
    store.identity.set({ ...id, registrationId: 78 });
    expect(store.identity.get()).toEqual({ ...id, registrationId: 78 });
  });

  it('stores prekeys by kind, counts unused ones and deletes consumed one-time keys', () => {
    const { store } = openTempStore();
    const pk = (keyId: number) => ({ kind: 'one_time' as const, keyId, publicKey: bytes(keyId), privateKey: bytes(9), signature: null, createdAt: 1, usedAt: null });
    store.prekeys.put(pk(1));
    store.prekeys.put(pk(2));
    store.prekeys.put({ ...pk(1), kind: 'signed', signature: bytes(5) });
    expect(store.prekeys.countUnused('one_time')).toBe(2);
    store.prekeys.markUsed('one_time', 1, 10);
    expect(store.prekeys.countUnused('one_time')).toBe(1);
    expect(store.prekeys.get('signed', 1)?.signature).toEqual(bytes(5));
    expect(store.prekeys.remove('one_time', 1)).toBe(true);
    expect(store.prekeys.list('one_time').map((p) => p.keyId)).toEqual([2]);
  });

  it('keeps ratchet session bytes per remote device', () => {
    const { store } = openTempStore();
    store.sessions.put('bob', 'd1', bytes(1), 1);
    store.sessions.put('bob', 'd2', bytes(2), 1);
    store.sessions.put('bob', 'd1', bytes(3), 2);
    expect(store.sessions.get('bob', 'd1')).toEqual(bytes(3));
    expect(store.sessions.devices('bob')).toEqual(['d1', 'd2']);
    expect(store.sessions.remove('bob', 'd2')).toBe(true);
    expect(store.sessions.get('bob', 'd2')).toBeNull();
  });

  it('keeps attachment metadata and content inside the database', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(outgoing(c, { id: 'o' }));
    store.attachments.add({ id: 'a', messageId: 'o', fileName: 'xray.png', mimeType: 'image/png', size: 3, sha256: new Uint8Array(32), state: 'pending', createdAt: 1 });
    expect(store.attachments.getContent('a')).toBeNull();
    store.attachments.putContent('a', bytes(1, 2, 3));
    expect(store.attachments.get('a')?.state).toBe('stored');
    expect(store.attachments.getContent('a')).toEqual(bytes(1, 2, 3));
    expect(store.attachments.forMessage('o').map((x) => x.fileName)).toEqual(['xray.png']);
    expect(store.attachments.remove('a')).toBe(true);
    expect(store.attachments.getContent('a')).toBeNull();
  });

  it('stores settings as JSON values', () => {
    const { store } = openTempStore();
    store.settings.set('lock', { minutes: 2, onSuspend: true });
    store.settings.set('theme', 'dark');
    expect(store.settings.get('lock')).toEqual({ minutes: 2, onSuspend: true });
    expect(store.settings.all()).toEqual({ lock: { minutes: 2, onSuspend: true }, theme: 'dark' });
    expect(store.settings.remove('theme')).toBe(true);
    expect(store.settings.get('theme')).toBeUndefined();
  });

  it('appends to the access log and lists it newest first', () => {
    const { store } = openTempStore();
    store.accessLog.append({ at: 1, event: 'unlock' });
    store.accessLog.append({ at: 2, event: 'export', detail: 'conversation c1' });
    expect(store.accessLog.list().map((e) => e.event)).toEqual(['export', 'unlock']);
    expect(store.accessLog.list({ limit: 1 })).toHaveLength(1);
  });

  it('passes PRAGMA integrity_check', () => {
    expect(openTempStore().store.integrityCheck()).toEqual(['ok']);
  });
});
