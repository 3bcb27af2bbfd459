import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listProfiles } from '../../../main/core/vault';
import { tempDir, vaultIn } from './helpers';

describe('listing profiles', () => {
  it('lists every enrolled profile from public facts only, most recently used first, without any secret', async () => {
    const dir = tempDir();
    let t = 1_000;
    const vault = vaultIn(dir, { now: () => t });
    const a = await vault.enrol({ displayName: 'Dr A', userId: 'a@ward', pin: '111111' });
    await a.lock();
    t = 2_000;
    const b = await vault.enrol({ displayName: 'Dr B', userId: 'b@ward', pin: '222222' });
    await b.lock();
    // Without the device secret (moved away), the list still works: it needs nobody's secrets.
    renameSync(join(dir, 'INSECURE-device-secret.bin'), join(dir, 'moved'));
    expect(listProfiles(dir)).toEqual([
      { id: b.profileId, displayName: 'Dr B', userId: 'b@ward', lastUsedAt: 2_000, state: 'active', erasedReason: null, attemptsLeft: 10 },
      { id: a.profileId, displayName: 'Dr A', userId: 'a@ward', lastUsedAt: 1_000, state: 'active', erasedReason: null, attemptsLeft: 10 },
    ]);
  }, 30_000);

  it('skips folders that are not profiles or whose profile.json is unreadable', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'profiles', 'broken-profile'), { recursive: true });
    writeFileSync(join(dir, 'profiles', 'broken-profile', 'profile.json'), '{');
    mkdirSync(join(dir, 'profiles', '..bad'), { recursive: true });
    expect(listProfiles(dir)).toEqual([]);
    expect(listProfiles(join(dir, 'nothing-here'))).toEqual([]);
  });
});
