import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Boots main/app/main.ts against a fake of the electron module (the binary cannot run here) and
 * checks what it asked Electron for: the security baseline of the window and the app.
 */
const calls = vi.hoisted(() => ({
  sandbox: 0,
  appUserModelId: [] as string[],
  schemes: [] as unknown[],
  protocolHandled: [] as string[],
  windows: [] as { webPreferences: Record<string, unknown> }[],
  loaded: [] as string[],
  ipcChannels: [] as string[],
  permissionRequest: null as null | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
  singleInstance: 0,
}));

const fakeUserData = mkdtempSync(join(tmpdir(), 'wardline-main-'));

vi.mock('electron', () => {
  const contents = () => ({ on: vi.fn(), setWindowOpenHandler: vi.fn(), send: vi.fn() });
  class BrowserWindow {
    webContents = { ...contents(), on: vi.fn() };
    setContentProtection = vi.fn();
    constructor(options: { webPreferences: Record<string, unknown> }) {
      calls.windows.push(options);
    }
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      calls.loaded.push(url);
      return Promise.resolve();
    }
  }
  return {
    app: {
      enableSandbox: () => void calls.sandbox++,
      setAppUserModelId: (id: string) => void calls.appUserModelId.push(id),
      requestSingleInstanceLock: () => (calls.singleInstance++, true),
      on: vi.fn(),
      quit: vi.fn(),
      whenReady: () => Promise.resolve(),
      getPath: () => fakeUserData,
      getVersion: () => '0.0.0-test',
      isPackaged: true,
    },
    BrowserWindow,
    clipboard: { writeText: vi.fn(), readText: () => '', clear: vi.fn() },
    dialog: { showErrorBox: vi.fn() },
    Notification: Object.assign(vi.fn(), { isSupported: () => true }),
    powerMonitor: { on: vi.fn(), getSystemIdleTime: () => 0, getSystemIdleState: () => 'active' },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => new TextEncoder().encode(s),
      decryptString: (b: Buffer) => b.toString(),
      getSelectedStorageBackend: () => 'gnome_libsecret',
    },
    ipcMain: { handle: (channel: string) => void calls.ipcChannels.push(channel) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => void calls.schemes.push(...schemes),
      handle: (scheme: string) => void calls.protocolHandled.push(scheme),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof calls.permissionRequest) => void (calls.permissionRequest = h),
        setPermissionCheckHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        setDisplayMediaRequestHandler: vi.fn(),
      },
    },
  };
});

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
});
