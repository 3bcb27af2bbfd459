import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { activityIdleSource, readAccessLog, Workstation } from '../../../main/core/workstation';
import type { NotificationText, WorkstationSettings } from '../../../main/core/workstation';
import type { LockReason } from '../../../protocol/models';
import { FakeTimers, settle } from './fake-timers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * The workstation wired as the core will wire it, around a stand-in for ProfileRuntime: one open
 * profile whose lock() calls beforeLock() and then closes the store.
 */
function ward(settings: Partial<WorkstationSettings> = {}, idleSource?: (timers: FakeTimers) => { idleSeconds(): number; activity?(): void }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-ws-'));
  dirs.push(dataDir);
  const timers = new FakeTimers();
  let lastInput = timers.now();
  const clip = { text: '', writeText: async (t: string) => void (clip.text = t), readText: async () => clip.text, clear: () => void (clip.text = '') };
  const shown: (NotificationText & { open: boolean })[] = [];
  const rendererEvents: string[] = [];
  const profileLog: string[] = [];
  let open: { profileId: string; store: { accessLog: { append(e: { event: string; detail?: string | null }): void } } } | null = null;
  const runtime = {
    unlock(profileId: string) {
      open = { profileId, store: { accessLog: { append: (e) => void profileLog.push(`${e.event} ${e.detail ?? ''}`.trim()) } } };
      ws.unlocked(open);
    },
    async lock(reason: LockReason) {
      const session = open;
      if (!session) return;
      open = null;
      await ws.beforeLock(session, reason);
      profileLog.push('lock');
      rendererEvents.push(`profiles.locked ${reason}`);
    },
  };
  const ws: Workstation = new Workstation({
    dataDir,
    timers,
    idle: idleSource ? idleSource(timers) : { idleSeconds: () => Math.floor((timers.now() - lastInput) / 1000) },
    settings: () => ({ idleLockMinutes: 2, notificationLevel: 'none', clipboardClearSeconds: 60, ...settings }),
    clipboard: clip,
    showNotification: (text) => {
      const entry = { ...text, open: true };
      shown.push(entry);
      return { close: () => void (entry.open = false) };
    },
    lock: (reason) => runtime.lock(reason),
    warn: (s) => void rendererEvents.push(`profiles.lockWarning ${s}`),
    warnCleared: () => void rendererEvents.push('lockWarning cleared'),
  });
  return { ws, runtime, timers, clip, shown, rendererEvents, profileLog, dataDir, input: () => void (lastInput = timers.now()) };
}

const PROFILE = 'Q2xpbmljaWFuQUFBQUFBQQ';

describe('Workstation', () => {
  it('warns, then locks an idle profile: clipboard taken back, notifications closed, both logs written', async () => {
    const w = ward();
    w.runtime.unlock(PROFILE);
    await w.ws.clipboard.copy('bed 4: K+ 6.1');
    w.ws.notifier.message({ senderName: 'Dr Alice Example', text: 'bed 4' });
    w.timers.advance(90_000);
    expect(w.rendererEvents).toEqual(['profiles.lockWarning 30']);
    w.timers.advance(30_000);
    await settle();
    expect(w.rendererEvents).toEqual(['profiles.lockWarning 30', 'profiles.locked idle']);
    expect(w.clip.text).toBe('');
    expect(w.shown.map((s) => [s.body, s.open])).toEqual([['New message in Wardline', false]]);
    expect(w.profileLog).toEqual(['lock_requested {"reason":"idle"}', 'lock']);
    expect(readAccessLog(w.dataDir).entries.map((e) => `${e.event} ${e.reason ?? ''}`.trim())).toEqual(['unlocked', 'locked idle']);
    expect(w.timers.pending).toBe(0);
  });

  it('locks at once on an OS event while a profile is open, and not at all on the lock screen', async () => {
    const w = ward();
    expect(w.ws.lockNow('os-lock')).toBe(false);
    w.runtime.unlock(PROFILE);
    expect(w.ws.lockNow('suspend')).toBe(true);
    await settle();
    expect(w.rendererEvents).toEqual(['profiles.locked suspend']);
    w.ws.notifier.message({ senderName: 'x', text: 'y' });
    expect(w.shown).toEqual([]);
  });

  it('stops the idle watch when the clinician locks by hand, and restarts it for the next clinician', async () => {
    const w = ward();
    w.runtime.unlock(PROFILE);
    await w.runtime.lock('user');
    w.timers.advance(600_000);
    expect(w.rendererEvents).toEqual(['profiles.locked user']);
    w.input();
    w.runtime.unlock('Q2xpbmljaWFuQkJCQkJCQg');
    w.timers.advance(120_000);
    await settle();
    expect(w.rendererEvents).toEqual(['profiles.locked user', 'profiles.lockWarning 30', 'profiles.locked idle']);
  });

  it("in the web host, counts idle time from the renderer's last activity, and from the unlock itself", async () => {
    let source!: ReturnType<typeof activityIdleSource>;
    const w = ward({ idleLockMinutes: 1 }, (timers) => (source = activityIdleSource(timers)));
    w.timers.advance(3_600_000);
    w.runtime.unlock(PROFILE);
    w.timers.advance(50_000);
    source.activity();
    w.timers.advance(50_000);
    expect(w.rendererEvents).toEqual(['profiles.lockWarning 30', 'lockWarning cleared', 'profiles.lockWarning 30']);
    w.timers.advance(10_000);
    await settle();
    expect(w.rendererEvents.at(-1)).toBe('profiles.locked idle');
  });
});
