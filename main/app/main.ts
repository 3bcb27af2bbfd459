import { app, ipcMain, protocol, session } from 'electron';
import type { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createApi } from '../core/api';
import { createCore } from '../core/core';
import { serveAppRequest } from './app-protocol';
import { APP_ID, APP_SCHEME } from './identity';
import { registerIpcHandlers } from './ipc';
import { denyAllPermissions, lockDownContents } from './security';
import { createMainWindow, preloadPathFrom } from './window';

// Must run before 'ready': app:// is a standard, secure origin so the CSP 'self' and URL
// parsing behave as for https, without file://'s extra privileges.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);
app.enableSandbox();
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

  const core = createCore({ dataDir: app.getPath('userData'), host: 'electron', version: app.getVersion() });
  registerIpcHandlers(ipcMain, createApi(core));
  core.events.onAny((event, payload) => mainWindow?.webContents.send(event, payload));

  mainWindow = createMainWindow({ preloadPath: preloadPathFrom(__dirname), devTools: !app.isPackaged });
  mainWindow.on('closed', () => (mainWindow = null));
}
