import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../main/core/store';
import { DEFAULT_KDF_PARAMS, InsecureFileDeviceSecretProvider, openInThread, ProfileVault } from '../../../main/core/vault';
import { expectVaultError, profileJson, readJson, tempDir, track, vaultIn } from './helpers';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('profile vault', () => {
  it('enrols a profile: folder with profile.json and an encrypted store, KDF parameters recorded', async () => {
    const dir = tempDir();
    const s = track(await vaultIn(dir).enrol({ displayName: 'Dr Ng', userId: 'ng@ward', pin: '123456' }));
    expect(readdirSync(join(dir, 'profiles', s.profileId)).sort()).toEqual(expect.arrayContaining(['profile.json', 'store.db']));
    const pj = readJson(profileJson(dir, s.profileId));
    expect(pj.kdf).toMatchObject({ algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(pj).toMatchObject({ displayName: 'Dr Ng', userId: 'ng@ward', erased: false, attempts: { failed: 0, max: 10 } });
    expect((pj.wrappedKey as { ciphertext: string }).ciphertext).toMatch(/^[A-Za-z0-9+/=]{64}$/); // 32-byte key + 16-byte tag
    expect(s.store.accessLog.list().map((e) => e.event)).toEqual(['enrol']);
  }, 30_000);

  it('the unwrapped key is the key of store.db, and a wrong PIN never opens it', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 3 } });
    const s = await vault.enrol({ displayName: 'A', userId: 'a', pin: '123456' });
    s.store.settings.set('note', 'kept');
    await s.lock();
    await expectVaultError(vault.unlock(s.profileId, '123457'), 'wrong_pin');
    const again = track(await vault.unlock(s.profileId, '123456'));
    expect(again.store.settings.get('note')).toBe('kept');
  }, 30_000);

  it('changing the PIN re-wraps the key and leaves the database file byte for byte unchanged', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 3 } });
    const s = await vault.enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    s.store.settings.set('x', 1);
    await s.lock();
    const db = join(dir, 'profiles', s.profileId, 'store.db');
    const before = sha(db);
    const wrappedBefore = readJson(profileJson(dir, s.profileId)).wrappedKey;
    await vault.changePin(s.profileId, '111111', '222222');
    expect(sha(db)).toBe(before);
    expect(readJson(profileJson(dir, s.profileId)).wrappedKey).not.toEqual(wrappedBefore);
    await expectVaultError(vault.unlock(s.profileId, '111111'), 'wrong_pin');
    const t = track(await vault.unlock(s.profileId, '222222'));
    expect(t.store.settings.get('x')).toBe(1);
  }, 60_000);

  it('a wrong old PIN in changePin counts as a failed attempt; a too-short new PIN costs nothing', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 3 } });
    const s = await vault.enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    await s.lock();
    await expectVaultError(vault.changePin(s.profileId, '111111', '12'), 'pin_policy');
    const e = await expectVaultError(vault.changePin(s.profileId, '999999', '333333'), 'wrong_pin');
    expect(e.attemptsLeft).toBe(2);
    await expectVaultError(vault.enrol({ displayName: 'B', userId: 'b', pin: '123' }), 'pin_policy');
  }, 30_000);

  it('raises recorded KDF parameters at the next unlock when the policy asks for more', async () => {
    const dir = tempDir();
    const s = await vaultIn(dir).enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    await s.lock();
    const stronger = { ...DEFAULT_KDF_PARAMS, iterations: DEFAULT_KDF_PARAMS.iterations + 1 };
    const vault2 = vaultIn(dir, { policy: { kdf: stronger } });
    track(await vault2.unlock(s.profileId, '111111'));
    expect(readJson(profileJson(dir, s.profileId)).kdf).toMatchObject({ iterations: stronger.iterations });
    await vault2.unlock(s.profileId, '111111').then((x) => x.lock());
  }, 60_000);

  it('refuses KDF parameters below 64 MiB', () => {
    const dir = tempDir();
    expect(() => vaultIn(dir, { policy: { kdf: { ...DEFAULT_KDF_PARAMS, memoryKiB: 32768 } } })).toThrow(expect.objectContaining({ code: 'kdf_too_weak' }));
  });

  it('refuses an insecure device-secret provider unless explicitly allowed', () => {
    const dir = tempDir();
    expect(() => new ProfileVault({ dataDir: dir, deviceSecrets: new InsecureFileDeviceSecretProvider(dir), open: openInThread }))
      .toThrow(expect.objectContaining({ code: 'insecure_provider_refused' }));
  });

  it('a changed device secret makes the profile refuse to open and costs no attempt', async () => {
    const dir = tempDir();
    const s = await vaultIn(dir).enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    await s.lock();
    const other = tempDir();
    const vault = vaultIn(dir, { deviceSecrets: new InsecureFileDeviceSecretProvider(other) });
    await expectVaultError(vault.unlock(s.profileId, '111111'), 'tampered');
    expect(readJson(profileJson(dir, s.profileId)).attempts).toMatchObject({ failed: 0 });
  }, 30_000);

  it('removes only profiles that can no longer be opened', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 1 } });
    const a = await vault.enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    await a.lock();
    await expectVaultError(vault.remove(a.profileId), 'not_removable');
    await expectVaultError(vault.unlock(a.profileId, '000000'), 'erased');
    await vault.remove(a.profileId);
    expect(vault.list()).toEqual([]);
    await expectVaultError(vault.unlock(a.profileId, '111111'), 'not_found');
    await expectVaultError(vault.unlock('../../etc', '111111'), 'not_found');
  }, 30_000);

  it('profiles coexist: opening one needs none of another\'s secrets, and a damaged one harms no other', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir);
    const a = await vault.enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    const b = await vault.enrol({ displayName: 'B', userId: 'b', pin: '222222' });
    a.store.settings.set('who', 'a');
    b.store.settings.set('who', 'b');
    await a.lock();
    await b.lock();
    await expectVaultError(vault.unlock(a.profileId, '222222'), 'wrong_pin');
    // Wreck B completely; A still opens and lists.
    writeFileSync(profileJson(dir, b.profileId), '{ not json');
    rmSync(join(dir, 'profiles', b.profileId, 'store.db'));
    const again = track(await vault.unlock(a.profileId, '111111'));
    expect(again.store.settings.get('who')).toBe('a');
    expect(vault.list().map((p) => p.displayName)).toEqual(['A']);
    await expectVaultError(vault.unlock(b.profileId, '222222'), 'corrupt');
  }, 60_000);

  it('an enrolled store opens only through the vault: the raw file rejects a random key', async () => {
    const dir = tempDir();
    const s = await vaultIn(dir).enrol({ displayName: 'A', userId: 'a', pin: '111111' });
    await s.lock();
    expect(() => openStore(join(dir, 'profiles', s.profileId, 'store.db'), new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'wrong_key' }));
  }, 30_000);
});
