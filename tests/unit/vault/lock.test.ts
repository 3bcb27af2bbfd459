import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORIES, StoreError } from '../../../main/core/store';
import type { AsyncStore, Store } from '../../../main/core/store';
import { argon2idInWorker, openInWorker, ProfileVault, InsecureFileDeviceSecretProvider } from '../../../main/core/vault';
import { tempDir, track, vaultIn } from './helpers';

/** Every public method of every repository, found by reflection so a new method cannot be missed. */
function allMethods(store: Store | AsyncStore, sample: Store): { name: string; call: () => unknown }[] {
  const out: { name: string; call: () => unknown }[] = [];
  for (const repo of REPOSITORIES) {
    const proto = Object.getPrototypeOf(sample[repo]) as object;
    for (const m of Object.getOwnPropertyNames(proto)) {
      if (m === 'constructor') continue;
      const target = store[repo] as unknown as Record<string, (...a: unknown[]) => unknown>;
      out.push({ name: `${repo}.${m}`, call: () => target[m]!('c1', 'x', 1) });
    }
  }
  for (const m of ['storeReceived', 'integrityCheck', 'schemaVersion'] as const) {
    out.push({ name: m, call: () => (store[m] as (...a: unknown[]) => unknown)() });
  }
  return out;
}

describe('locking a profile', () => {
  it('drops the store: no repository method of a held reference can read anything until the PIN is entered', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir);
    const s = await vault.enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    const store = s.store;
    store.conversations.create({ id: 'c1', kind: 'direct', title: 'Secret ward', now: 1 });
    store.messages.insert({ id: 'm1', conversationId: 'c1', direction: 'in', senderUserId: 'b', senderDeviceId: 'd1', senderMessageId: 'x', body: 'bed 4 result', status: 'received', sentAt: 1 });
    await s.lock();

    expect(s.locked).toBe(true);
    expect(() => s.store).toThrow(expect.objectContaining({ name: 'VaultError', code: 'locked' }));
    const methods = allMethods(store, store);
    expect(methods.length).toBeGreaterThan(50);
    for (const m of methods) {
      let err: unknown;
      try {
        m.call();
      } catch (e) {
        err = e;
      }
      expect(err, m.name).toBeInstanceOf(StoreError);
      expect((err as StoreError).code, m.name).toBe('locked');
    }
    expect(() => store.transaction(() => 1)).toThrow(expect.objectContaining({ code: 'locked' }));

    // The file itself is unreadable without the key.
    const raw = new Database(join(dir, 'profiles', s.profileId, 'store.db'));
    expect(() => raw.prepare('SELECT body FROM messages').all()).toThrow(/not a database/);
    raw.close();

    const again = track(await vault.unlock(s.profileId, '111111'));
    expect(again.store.messages.get('m1')?.body).toBe('bed 4 result');
    expect(again.store.accessLog.list().map((e) => e.event)).toEqual(['unlock', 'lock', 'enrol']);
  }, 30_000);

  it('does the same for a store running in a worker thread', async () => {
    const dir = tempDir();
    const vault = new ProfileVault<AsyncStore>({
      dataDir: dir,
      deviceSecrets: new InsecureFileDeviceSecretProvider(dir),
      allowInsecureDeviceSecret: true,
      open: openInWorker(),
      argon2id: argon2idInWorker(),
    });
    const s = await vault.enrol({ displayName: 'W', userId: 'w', pin: '111111' });
    const store = s.store;
    await store.settings.set('k', 'v');
    await s.lock();
    expect(store.isOpen).toBe(false);
    const sample = vaultIn(tempDir());
    const probe = await sample.enrol({ displayName: 'P', userId: 'p', pin: '111111' });
    for (const m of allMethods(store, probe.store)) {
      await expect(Promise.resolve().then(m.call), m.name).rejects.toMatchObject({ code: 'locked' });
    }
    await probe.lock();
    const again = await vault.unlock(s.profileId, '111111');
    expect(await again.store.settings.get('k')).toBe('v');
    await again.lock();
  }, 60_000);
});
