import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../main/core/store';
import type { Store } from '../../../main/core/store';
import { AccessAudit, MachineAccessLog, readAccessLog } from '../../../main/core/workstation';
import { expectVaultError, tempDir, track, vaultIn } from '../vault/helpers';
import { FakeTimers } from './fake-timers';

const PIN = '482913';

/** A real vault (real Argon2id and SQLCipher store) with both logs, as the core will wire them. */
function setup(maxFailedAttempts = 10) {
  const dir = tempDir();
  const timers = new FakeTimers();
  let key: Uint8Array | null = null;
  // Keeps the DB key the vault opens with, only to read the profile's own log after it locked.
  const vault = vaultIn(dir, {
    policy: { maxFailedAttempts },
    now: timers.now,
    open: (path, k, create) => ((key = new Uint8Array(k)), openStore(path, k, { create })),
  });
  const audit = new AccessAudit({ machine: new MachineAccessLog({ dataDir: dir, timers }), timers });
  const profileLog = (id: string) => {
    const store: Store = openStore(join(dir, 'profiles', id, 'store.db'), key!);
    try {
      return store.accessLog.list().reverse().map((e) => (e.detail && e.event !== 'unlock' ? `${e.event} ${e.detail}` : e.event));
    } finally {
      store.close();
    }
  };
  return { dir, vault, audit, profileLog, machine: () => readAccessLog(dir).entries.map((e) => [e.event, e.reason].filter(Boolean).join(' ')) };
}

async function unlockAudited(s: ReturnType<typeof setup>, id: string, pin: string) {
  const before = s.vault.list().find((p) => p.id === id)?.state;
  try {
    const session = await s.vault.unlock(id, pin);
    s.audit.unlocked(session);
    return session;
  } catch (error) {
    s.audit.unlockFailed(id, error, before);
    throw error;
  }
}

describe('AccessAudit', () => {
  it('logs enrolment, a wrong PIN, unlock and an idle lock for IT, with the lock reason and detail in the profile', async () => {
    const s = setup();
    const enrolled = await s.vault.enrol({ displayName: 'Dr Alice Example', userId: 'alice@ward.example', pin: PIN });
    s.audit.enrolled(enrolled);
    await enrolled.lock();
    await expectVaultError(unlockAudited(s, enrolled.profileId, '000000'), 'wrong_pin');
    const session = track(await unlockAudited(s, enrolled.profileId, PIN));
    await s.audit.exported(session, { conversationId: 'c-ward7', messageCount: 12 });
    await s.audit.locking(session, 'idle');
    await session.lock();

    expect(s.machine()).toEqual(['enrolled', 'failed_pin', 'unlocked', 'export pdf', 'locked idle']);
    expect(s.profileLog(enrolled.profileId)).toEqual([
      'enrol', 'lock', 'unlock',
      'export {"format":"pdf","conversationId":"c-ward7","messageCount":12}',
      'lock_requested {"reason":"idle"}', 'lock',
    ]);
    // The IT log names nobody: no display name, no user id.
    const raw = readdirSync(join(s.dir, 'access-log')).map((f) => readFileSync(join(s.dir, 'access-log', f), 'utf8')).join('');
    expect(raw).not.toMatch(/Alice|alice@|ward\.example/);
  });

  it('logs the erasure once, on the attempt that caused it, not on later attempts', async () => {
    const s = setup(2);
    const enrolled = await s.vault.enrol({ displayName: 'Bob', userId: 'bob@ward.example', pin: PIN });
    await enrolled.lock();
    await expectVaultError(unlockAudited(s, enrolled.profileId, '111111'), 'wrong_pin');
    await expectVaultError(unlockAudited(s, enrolled.profileId, '222222'), 'erased');
    await expectVaultError(unlockAudited(s, enrolled.profileId, PIN), 'erased');
    expect(s.machine()).toEqual(['failed_pin', 'failed_pin', 'erased too_many_attempts']);
  });

  it('never throws when the profile log cannot be written (the store already closed)', async () => {
    const s = setup();
    const session = await s.vault.enrol({ displayName: 'Carol', userId: 'carol@ward.example', pin: PIN });
    await session.lock();
    const onError = vi.fn();
    const audit = new AccessAudit({ machine: new MachineAccessLog({ dataDir: s.dir, timers: new FakeTimers() }), timers: new FakeTimers(), onError });
    await expect(audit.locking(session, 'os-lock')).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledOnce();
    expect(s.machine()).toEqual(['locked os-lock']);
  });
});
