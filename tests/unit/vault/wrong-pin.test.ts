import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectVaultError, profileJson, readJson, tempDir, track, vaultIn } from './helpers';

describe('wrong PINs', () => {
  it('counts down to the default maximum of 10, then crypto-erases and says so plainly', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir);
    expect(vault.policy.maxFailedAttempts).toBe(10);
    const s = await vault.enrol({ displayName: 'Dr Ada', userId: 'ada@ward', pin: '246810' });
    const id = s.profileId;
    await s.lock();
    const db = join(dir, 'profiles', id, 'store.db');
    expect(existsSync(db)).toBe(true);
    for (let left = 9; left >= 1; left--) {
      const e = await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
      expect(e.attemptsLeft).toBe(left);
      expect(vault.list()[0]?.attemptsLeft).toBe(left);
    }
    await expectVaultError(vault.unlock(id, '000000'), 'erased');
    const pj = readJson(profileJson(dir, id));
    expect(pj).toMatchObject({ erased: true, erasedReason: 'too_many_attempts', wrappedKey: null });
    expect(existsSync(db)).toBe(false);
    expect(vault.list()).toEqual([expect.objectContaining({ id, state: 'erased', attemptsLeft: null, displayName: 'Dr Ada' })]);
    // Even the right PIN cannot bring it back: the wrapped key no longer exists.
    await expectVaultError(vault.unlock(id, '246810'), 'erased');
  }, 60_000);

  it('a correct PIN resets the counter and reports the failed attempts made in between', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 3 } });
    const s = await vault.enrol({ displayName: 'Dr B', userId: 'b', pin: '135790' });
    await s.lock();
    await expectVaultError(vault.unlock(s.profileId, '999999'), 'wrong_pin');
    await expectVaultError(vault.unlock(s.profileId, '999998'), 'wrong_pin');
    const ok = track(await vault.unlock(s.profileId, '135790'));
    expect(ok.failedAttemptsBeforeUnlock).toBe(2);
    expect(JSON.parse(ok.store.accessLog.list({ limit: 1 })[0]!.detail!)).toMatchObject({ failedAttemptsBefore: 2 });
    expect(readJson(profileJson(dir, s.profileId)).attempts).toMatchObject({ failed: 0 });
    await ok.lock();
    const e = await expectVaultError(vault.unlock(s.profileId, '999999'), 'wrong_pin');
    expect(e.attemptsLeft).toBe(2);
  }, 60_000);

  it('counts the attempt before deriving the key, so killing the app mid-KDF gives no free guess', async () => {
    const dir = tempDir();
    const s = await vaultIn(dir, { policy: { maxFailedAttempts: 3 } }).enrol({ displayName: 'C', userId: 'c', pin: '112233' });
    await s.lock();
    const crashing = vaultIn(dir, { argon2id: async () => { throw new Error('process killed during KDF'); } });
    await expect(crashing.unlock(s.profileId, '112233')).rejects.toThrow('process killed');
    expect(readJson(profileJson(dir, s.profileId)).attempts).toMatchObject({ failed: 1 });
  }, 30_000);

  it('serialises concurrent attempts: three at once cost exactly three tries', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 5 } });
    const s = await vault.enrol({ displayName: 'D', userId: 'd', pin: '445566' });
    await s.lock();
    const results = await Promise.allSettled([1, 2, 3].map((i) => vault.unlock(s.profileId, `00000${i}`)));
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { attemptsLeft: number }).attemptsLeft : -1)).sort()).toEqual([2, 3, 4]);
  }, 60_000);

  it('detects an edited counter (profile.json changed by hand) and refuses to try any PIN', async () => {
    const dir = tempDir();
    const vault = vaultIn(dir, { policy: { maxFailedAttempts: 3 } });
    const s = await vault.enrol({ displayName: 'E', userId: 'e', pin: '778899' });
    await s.lock();
    await expectVaultError(vault.unlock(s.profileId, '000000'), 'wrong_pin');
    await expectVaultError(vault.unlock(s.profileId, '000000'), 'wrong_pin');
    const file = profileJson(dir, s.profileId);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"failed": 2', '"failed": 0'));
    await expectVaultError(vault.unlock(s.profileId, '778899'), 'tampered');
    await expectVaultError(vault.unlock(s.profileId, '000000'), 'tampered');
  }, 60_000);
});
