import { app, clipboard, dialog, ipcMain, Notification, powerMonitor, protocol, safeStorage, session } from 'electron';
import type { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApi } from '../core/api';
import { createCore } from '../core/core';
import { argon2idInWorker } from '../core/vault';
import type { Core } from '../core/core';
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
  const core: Core = createCore({
    dataDir: app.getPath('userData'),
    host: 'electron',
    version: app.getVersion(),
    deviceSecrets,
    runtime: {
      argon2id: argon2idInWorker({ workerUrl: pathToFileURL(join(__dirname, 'kdf-worker.cjs')) }),
      checkpointer: { workerUrl: pathToFileURL(join(__dirname, 'checkpoint-worker.cjs')) },
    },
    workstation: {
      idle: powerIdleSource(powerMonitor),
      clipboard: electronClipboard(clipboard),
      showNotification: electronNotificationSink(Notification, () => {
        mainWindow?.show();
        mainWindow?.focus();
      }),
    },
  });
  registerIpcHandlers(ipcMain, createApi(core));
  core.events.onAny((event, payload) => mainWindow?.webContents.send(event, payload));
  watchPowerEvents(powerMonitor, core.workstation);
  app.on('before-quit', () => void core.workstation.clipboard.clearNow());

  mainWindow = createMainWindow({ preloadPath: preloadPathFrom(__dirname), devTools: !app.isPackaged });
  applyContentProtection(mainWindow, core.policy.current().values);
  // Policy is read again at every unlock; screen capture follows it.
  core.events.on('profiles.locked', () => mainWindow && applyContentProtection(mainWindow, core.policy.current().values));
  watchHideShortcut(mainWindow.webContents, () => core.workstation.lockNow('shortcut'));
  mainWindow.on('closed', () => (mainWindow = null));
}
