import { beforeAll, describe, expect, it, vi } from 'vitest';
import { calls } from './fake-electron';

/**
 * Boots main/app/main.ts against a fake of the electron module (the binary cannot run here) and
 * checks what it asked Electron for: the security baseline of the window and the app.
 */
vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
vi.mock('node:worker_threads', async (original) => (await import('./fake-electron')).keptWorkers(await original()));

describe('main process start-up', () => {
  beforeAll(async () => {
    await import('../../../main/app/main');
    await new Promise((r) => setTimeout(r, 10));
  });

  it('enables the sandbox for every window, takes the single-instance lock and sets the AppUserModelID', async () => {
    const { APP_ID } = await import('../../../main/app/identity');
    expect(calls.sandbox).toBe(1);
    expect(calls.singleInstance).toBe(1);
    expect(calls.appUserModelId).toEqual([APP_ID]);
  });

  it('serves the renderer from a privileged app:// scheme, not file://', () => {
    expect(calls.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(calls.protocolHandled).toEqual(['app']);
    expect(calls.loaded).toEqual(['app://wardline/index.html']);
  });

  it('opens one window with isolation, no Node, no webviews and no DevTools when packaged', () => {
    expect(calls.windows).toHaveLength(1);
    expect(calls.windows[0]!.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: false,
    });
    expect(String(calls.windows[0]!.webPreferences.preload)).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('registers the contract handlers and denies permissions on the default session', async () => {
    const { METHOD_NAMES } = await import('../../../protocol/channels');
    expect([...calls.ipcChannels].sort()).toEqual([...METHOD_NAMES].sort());
    const cb = vi.fn();
    calls.permissionRequest!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });

  it('runs main/core in a worker thread that answers the IPC handlers', async () => {
    const { isMainThread } = await import('node:worker_threads');
    expect(isMainThread).toBe(true);
    const info = calls.ipcHandlers.get('app.info');
    const answer = (await info!({ senderFrame: { url: 'app://wardline/index.html' } }, {})) as { ok: boolean; value: { host: string; version: string } };
    expect(answer).toMatchObject({ ok: true, value: { host: 'electron', version: '0.0.0-test' } });
    // Captured by default, then the policy the core read (no Group Policy here: capture stays blocked).
    await vi.waitFor(() => expect(calls.contentProtection.length).toBeGreaterThanOrEqual(2));
    expect(calls.contentProtection.every((on) => on)).toBe(true);
  }, 30_000);

  it('starts again when the core thread dies, saying so, and answers calls meanwhile with a typed error', async () => {
    const info = calls.ipcHandlers.get('app.info')!;
    // One thread started here: the core's (its KDF and checkpoint threads start inside it).
    expect(calls.workers).toHaveLength(1);
    expect(calls.errorBoxes).toEqual([]);
    // As if the core's thread had crashed (the thread itself is ended by the quit below).
    calls.workers[0]!.emit('exit', 1);
    expect(calls.errorBoxes).toEqual(['Wardline stopped']);
    expect(calls.relaunch).toBe(1);
    expect(await info({ senderFrame: { url: 'app://wardline/index.html' } }, {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('quits only once the core was asked to close (lock, clipboard), and ends its thread', async () => {
    const info = calls.ipcHandlers.get('app.info')!;
    const event = { preventDefault: vi.fn() };
    calls.appListeners.get('before-quit')!(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(calls.quit).toBe(1), { timeout: 10_000 });
    // The worker has ended: a call now answers the typed error instead of hanging.
    await vi.waitFor(() => expect(calls.workers.every((w) => (w as unknown as { threadId: number }).threadId === -1)).toBe(true));
    const after = (await info!({ senderFrame: { url: 'app://wardline/index.html' } }, {})) as { ok: boolean; error?: { code: string } };
    expect(after).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  }, 30_000);
});
