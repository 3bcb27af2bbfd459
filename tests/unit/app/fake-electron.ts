/**
 * A fake of the electron module for booting main/app/main.ts in tests (the Electron binary cannot
 * run here), recording what main.ts asked of it, and worker_threads with every Worker kept so a
 * test can play its exit. Each test file that boots main.ts mocks both modules with these:
 *
 *   vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
 *   vi.mock('node:worker_threads', async (original) => (await import('./fake-electron')).keptWorkers(await original()));
 */
import type { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import { vi } from 'vitest';

export const calls = {
  sandbox: 0,
  appUserModelId: [] as string[],
  schemes: [] as unknown[],
  protocolHandled: [] as string[],
  windows: [] as { webPreferences: Record<string, unknown> }[],
  loaded: [] as string[],
  ipcChannels: [] as string[],
  ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  appListeners: new Map<string, (...args: unknown[]) => void>(),
  contentProtection: [] as boolean[],
  quit: 0,
  relaunch: 0,
  errorBoxes: [] as string[],
  workers: [] as EventEmitter[],
  permissionRequest: null as null | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
  singleInstance: 0,
};

const fakeUserData = mkdtempSync(join(tmpdir(), 'wardline-main-'));

export function fakeElectron() {
  const contents = () => ({ on: vi.fn(), setWindowOpenHandler: vi.fn(), send: vi.fn() });
  class BrowserWindow {
    webContents = { ...contents(), on: vi.fn() };
    setContentProtection = (on: boolean) => void calls.contentProtection.push(on);
    isDestroyed = () => false;
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
      on: (event: string, listener: (...args: unknown[]) => void) => void calls.appListeners.set(event, listener),
      quit: () => void calls.quit++,
      relaunch: () => void calls.relaunch++,
      exit: vi.fn(),
      whenReady: () => Promise.resolve(),
      getPath: () => fakeUserData,
      getVersion: () => '0.0.0-test',
      isPackaged: true,
    },
    BrowserWindow,
    clipboard: { writeText: vi.fn(), readText: () => '', clear: vi.fn() },
    dialog: { showErrorBox: (title: string) => void calls.errorBoxes.push(title) },
    Notification: Object.assign(vi.fn(), { isSupported: () => true }),
    powerMonitor: { on: vi.fn(), getSystemIdleTime: () => 0, getSystemIdleState: () => 'active' },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => new TextEncoder().encode(s),
      decryptString: (b: Buffer) => b.toString(),
      getSelectedStorageBackend: () => 'gnome_libsecret',
    },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => Promise<unknown>) => {
        calls.ipcChannels.push(channel);
        calls.ipcHandlers.set(channel, handler);
      },
    },
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
}

/**
 * The real worker_threads, each Worker kept in calls.workers. With `dieAtStart`, every thread is
 * terminated as soon as it is created: a core that never starts.
 */
export function keptWorkers(real: typeof WorkerThreads, options: { dieAtStart?: boolean } = {}) {
  class KeptWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      calls.workers.push(this);
      if (options.dieAtStart) void this.terminate();
    }
  }
  return { ...real, Worker: KeptWorker, default: { ...real, Worker: KeptWorker } };
}
