import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, openStoreInWorker, StoreError } from '../../../main/core/store';
import { incoming, newKey, tempDir } from './helpers';

describe('store in a worker thread', () => {
  it('answers the same API asynchronously and shares the file with a later in-thread open', async () => {
    const path = join(tempDir(), 'store.db');
    const key = newKey();
    const w = await openStoreInWorker(path, key, { create: true });
    await w.conversations.create({ id: 'c', kind: 'direct', title: 'T', now: 1 });
    await w.messages.insertMany([incoming('c', { id: 'm1', body: 'lactate rising' }), incoming('c', { id: 'm2' })]);
    expect(await w.storeReceived({
      message: incoming('c', { id: 'r', senderUserId: 'u', senderDeviceId: 'd1', senderMessageId: 'x' }),
      sessionUpdate: { userId: 'u', deviceId: 'd1', record: new Uint8Array([4]) },
      dedupeMarker: { senderUserId: 'u', senderDeviceId: 'd1', senderMessageId: 'x' },
      now: 1,
    })).toBe('stored');
    expect((await w.messages.page('c')).items).toHaveLength(3);
    expect((await w.search.messages('lactate'))[0]?.messageId).toBe('m1');
    expect(await w.sessions.get('u', 'd1')).toEqual(new Uint8Array([4]));
    await w.close();
    const s = openStore(path, key);
    expect(s.messages.count()).toBe(3);
    s.close();
  });

  it('rethrows store errors with their code and refuses anything but repository methods', async () => {
    const w = await openStoreInWorker(join(tempDir(), 's.db'), newKey(), { create: true });
    await expect(w.messages.page('c', { before: 'junk' })).rejects.toMatchObject({ name: 'StoreError', code: 'invalid' });
    const raw = w.messages as unknown as Record<string, () => Promise<unknown>>;
    await expect(raw['constructor']!()).rejects.toThrow(/no such store method/);
    await expect(raw['toString']!()).rejects.toThrow(/no such store method/);
    await w.close();
  });

  it('refuses a wrong key at open and fails every call after close', async () => {
    const path = join(tempDir(), 's.db');
    const key = newKey();
    const w = await openStoreInWorker(path, key, { create: true });
    await w.settings.set('a', 1);
    await w.close();
    await expect(w.settings.get('a')).rejects.toBeInstanceOf(StoreError);
    expect(w.isOpen).toBe(false);
    await expect(openStoreInWorker(path, newKey())).rejects.toMatchObject({ code: 'wrong_key' });
  });
});
