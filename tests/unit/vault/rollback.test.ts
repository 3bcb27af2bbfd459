import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectVaultError, ledgerJson, profileJson, readJson, tempDir, track, vaultIn } from './helpers';

const PIN = '314159';

async function enrolled(max = 3) {
  const dir = tempDir();
  const vault = vaultIn(dir, { policy: { maxFailedAttempts: max } });
  const s = await vault.enrol({ displayName: 'Dr R', userId: 'r@ward', pin: PIN });
  await s.lock();
  return { dir, vault, id: s.profileId };
}

describe('restored copies of the attempt counter', () => {
  it('a restored older profile.json does not reset the count: the ledger is newer and wins', async () => {
    const { dir, vault, id } = await enrolled(3);
    const saved = readFileSync(profileJson(dir, id));
    await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
    await expectVaultError(vault.unlock(id, '000001'), 'wrong_pin');
    writeFileSync(profileJson(dir, id), saved); // "failed": 0 again, with a valid MAC
    expect(readJson(profileJson(dir, id)).attempts).toMatchObject({ failed: 0 });
    await expectVaultError(vault.unlock(id, '000002'), 'erased');
  }, 60_000);

  it('reports the restore on the next successful unlock', async () => {
    const { dir, vault, id } = await enrolled(5);
    const saved = readFileSync(profileJson(dir, id));
    await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
    await expectVaultError(vault.unlock(id, '000001'), 'wrong_pin');
    writeFileSync(profileJson(dir, id), saved);
    const s = track(await vault.unlock(id, PIN));
    expect(s.restoredCopyDetected).toBe(true);
    expect(s.failedAttemptsBeforeUnlock).toBe(2);
    expect(s.store.accessLog.list({ limit: 1 })[0]?.detail).toContain('"restoredCopyDetected":true');
  }, 60_000);

  it('a profile.json one write behind (an interrupted write) is repaired without alarm', async () => {
    const { dir, vault, id } = await enrolled(5);
    await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
    const before = readFileSync(profileJson(dir, id));
    await expectVaultError(vault.unlock(id, '000001'), 'wrong_pin');
    // The second attempt's ledger write landed but its profile.json write did not:
    const ledger = readJson(ledgerJson(dir, id));
    writeFileSync(profileJson(dir, id), before);
    expect((readJson(profileJson(dir, id)).attempts as { seq: number }).seq).toBeLessThan(ledger.seq as number);
    const s = track(await vault.unlock(id, PIN));
    expect(s.restoredCopyDetected).toBe(false);
    expect(s.failedAttemptsBeforeUnlock).toBe(2);
  }, 60_000);

  it('a restored copy of the whole profile folder after crypto-erase stays erased', async () => {
    const { dir, vault, id } = await enrolled(2);
    const folder = join(dir, 'profiles', id);
    const backup = join(dir, 'backup');
    cpSync(folder, backup, { recursive: true });
    await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
    await expectVaultError(vault.unlock(id, '000001'), 'erased');
    rmSync(folder, { recursive: true });
    cpSync(backup, folder, { recursive: true });
    await expectVaultError(vault.unlock(id, PIN), 'erased');
    expect(readJson(profileJson(dir, id))).toMatchObject({ erased: true, wrappedKey: null });
    expect(existsSync(join(folder, 'store.db'))).toBe(false);
  }, 60_000);

  it('a profile.json from before a PIN change is refused: it would revive the replaced PIN', async () => {
    const { dir, vault, id } = await enrolled(5);
    const saved = readFileSync(profileJson(dir, id));
    await vault.changePin(id, PIN, '271828');
    writeFileSync(profileJson(dir, id), saved);
    await expectVaultError(vault.unlock(id, PIN), 'tampered');
  }, 60_000);

  it('a deleted ledger entry is refused, since deleting it plus an old profile.json would reset the count', async () => {
    const { dir, vault, id } = await enrolled();
    rmSync(ledgerJson(dir, id));
    await expectVaultError(vault.unlock(id, PIN), 'tampered');
  }, 30_000);

  it('a restored older ledger entry does not reset the count either: profile.json is newer and wins', async () => {
    const { dir, vault, id } = await enrolled(3);
    const saved = readFileSync(ledgerJson(dir, id));
    await expectVaultError(vault.unlock(id, '000000'), 'wrong_pin');
    await expectVaultError(vault.unlock(id, '000001'), 'wrong_pin');
    writeFileSync(ledgerJson(dir, id), saved);
    await expectVaultError(vault.unlock(id, '000002'), 'erased');
  }, 60_000);

  it('an edited ledger entry is detected', async () => {
    const { dir, vault, id } = await enrolled();
    const f = ledgerJson(dir, id);
    writeFileSync(f, readFileSync(f, 'utf8').replace('"max": 3', '"max": 30'));
    await expectVaultError(vault.unlock(id, PIN), 'tampered');
  }, 30_000);

  it('profile.json copied from another profile (or another workstation) is refused before any attempt', async () => {
    const { dir, vault, id } = await enrolled();
    const other = await vault.enrol({ displayName: 'Other', userId: 'o', pin: '999000' });
    await other.lock();
    writeFileSync(profileJson(dir, id), readFileSync(profileJson(dir, other.profileId)));
    await expectVaultError(vault.unlock(id, '999000'), 'tampered');
    const elsewhere = tempDir();
    cpSync(join(dir, 'profiles'), join(elsewhere, 'profiles'), { recursive: true });
    cpSync(join(dir, 'vault'), join(elsewhere, 'vault'), { recursive: true });
    await expectVaultError(vaultIn(elsewhere).unlock(other.profileId, '999000'), 'tampered');
    expect(readJson(profileJson(elsewhere, other.profileId)).attempts).toMatchObject({ failed: 0 });
  }, 60_000);
});
