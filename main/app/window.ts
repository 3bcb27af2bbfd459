import { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN } from './identity';
import { lockDownContents } from './security';

/**
 * The one window. Sandboxed, isolated, no Node, no webviews; the preload is a single bundled
 * CommonJS file because sandboxed preloads cannot load ES modules. DevTools only when unpackaged.
 */
export function createMainWindow(options: { preloadPath: string; devTools: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Wardline',
    backgroundColor: '#0f1720',
    webPreferences: {
      // The one preload is reviewed: contextBridge only, generated from the contract (tests/unit/bridge).
      preload: options.preloadPath, /* eng-disable PRELOAD_JS_CHECK */
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click would ask for a new window (denied anyway by the window-open handler).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      devTools: options.devTools,
    },
  });
  lockDownContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

export function preloadPathFrom(mainDir: string): string {
  return join(mainDir, '..', 'preload', 'index.cjs');
}
