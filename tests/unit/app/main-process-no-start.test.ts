import { describe, expect, it, vi } from 'vitest';
import { calls } from './fake-electron';

/**
 * Boots main/app/main.ts (fake electron module) with a core thread that dies before it ever
 * starts: the app says it cannot start and quits. It must not relaunch: a core that cannot start
 * would only fail again, in a loop of error boxes on a shared workstation.
 */
vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
vi.mock('node:worker_threads', async (original) => (await import('./fake-electron')).keptWorkers(await original(), { dieAtStart: true }));

describe('main process whose core never starts', () => {
  it('says Wardline cannot start and quits, without relaunching', async () => {
    await import('../../../main/app/main');
    await vi.waitFor(() => expect(calls.quit).toBe(1), { timeout: 10_000 });
    expect(calls.workers).toHaveLength(1);
    expect(calls.errorBoxes).toEqual(['Wardline cannot start']);
    expect(calls.relaunch).toBe(0);
    // Every call meanwhile answers the typed error instead of hanging.
    const info = calls.ipcHandlers.get('app.info')!;
    expect(await info({ senderFrame: { url: 'app://wardline/index.html' } }, {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  }, 30_000);
});
