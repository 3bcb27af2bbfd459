import { app, clipboard, dialog, ipcMain, Notification, powerMonitor, protocol, safeStorage, session } from 'electron';
import type { BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnCoreWorker } from '../core/host/client';
import { serveAppRequest } from './app-protocol';
import { electronClipboard } from './clipboard';
import { applyContentProtection, watchHideShortcut } from './content-protection';
import { safeStorageDeviceSecrets } from './device-secret';
import { APP_ID, APP_SCHEME } from './identity';
import { registerIpcHandlers } from './ipc';
import { electronNotificationSink } from './notify';
import { powerIdleSource, watchPowerEvents } from './power';
import { denyAllPermissions, lockDownContents } from './security';
import { createMainWindow, preloadPathFrom } from './window';

// Must run before 'ready': app:// is a standard, secure origin so the CSP 'self' and URL
// parsing behave as for https, without file://'s extra privileges.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);
app.enableSandbox();
// The Start menu shortcut the MSI creates carries this id; without it Windows drops our toasts.
app.setAppUserModelId(APP_ID);

let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  // A second copy on the same Windows login would open the same profiles twice.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(start);
}

function start(): void {
  const rendererDir = join(__dirname, '..', 'renderer');
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));
  denyAllPermissions(session.defaultSession);

  let deviceSecrets;
  try {
    deviceSecrets = safeStorageDeviceSecrets(safeStorage, { userDataDir: app.getPath('userData') });
  } catch (err) {
    // Never a weaker mode: without the OS keystore there is no per-workstation secret to bind PINs to.
    dialog.showErrorBox('Wardline cannot start', `${(err as Error).message}\n\nAsk IT to check this workstation.`);
    app.quit();
    return;
  }
  // main/core runs in a worker thread: the store, the engine and the vault never hold up this
  // thread, which keeps only what needs Electron (IPC, the window, safeStorage, powerMonitor,
  // the clipboard, notifications) and lends those to the core (main/core/host).
  let quitting = false;
  const built = (name: string) => pathToFileURL(join(__dirname, name));
  // The bundle (dist/main) has its workers beside it; run from source (the unit test), the core's own sources load under tsx.
  const bundled = existsSync(join(__dirname, 'core-worker.cjs'));
  const core = spawnCoreWorker(
    {
      dataDir: app.getPath('userData'),
      host: 'electron',
      version: app.getVersion(),
      deviceSecret: { name: deviceSecrets.name, secure: deviceSecrets.secure },
      idle: 'host',
      clipboard: 'host',
      notifications: true,
      ...(bundled ? { workers: { kdf: built('kdf-worker.cjs').href, checkpoint: built('checkpoint-worker.cjs').href } } : {}),
    },
    {
      deviceSecrets,
      idle: powerIdleSource(powerMonitor),
      clipboard: electronClipboard(clipboard),
      showNotification: electronNotificationSink(Notification, () => {
        mainWindow?.show();
        mainWindow?.focus();
      }),
    },
    bundled ? { workerUrl: built('core-worker.cjs') } : {},
  );
  registerIpcHandlers(ipcMain, core.dispatch);
  core.events.onAny((event, payload) => mainWindow?.webContents.send(event, payload));
  watchPowerEvents(powerMonitor, { lockNow: (reason) => core.lockNow(reason) });
  let serving = false;
  core.ready.then(
    () => void (serving = true),
    (err: Error) => {
      dialog.showErrorBox('Wardline cannot start', `${err.message}\n\nAsk IT to check this workstation.`);
      app.quit();
    },
  );
  // The core's keys went with its thread: say so, and start again rather than leave a window whose
  // every call fails. Only a core that had started: one that cannot start would only fail again.
  core.onExit((reason) => {
    if (quitting || !serving) return;
    dialog.showErrorBox('Wardline stopped', `${reason}\n\nWardline will start again; sign in with your PIN.`);
    app.relaunch();
    app.exit(1);
  });
  // Quitting locks the open profile (the audit log records it) and takes back the clipboard first.
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void core.close().finally(() => app.quit());
  });

  mainWindow = createMainWindow({ preloadPath: preloadPathFrom(__dirname), devTools: !app.isPackaged });
  // Kept out of screen capture until the policy (read by the core) says capture is allowed.
  const win = mainWindow;
  win.setContentProtection(true);
  const protect = () =>
    void core.policy().then((policy) => {
      if (policy.ok && !win.isDestroyed()) applyContentProtection(win, policy.value);
    });
  protect();
  // Policy is read again at every unlock; screen capture follows it.
  core.events.on('profiles.locked', protect);
  watchHideShortcut(win.webContents, () => void core.lockNow('shortcut'));
  mainWindow.on('closed', () => (mainWindow = null));
}
