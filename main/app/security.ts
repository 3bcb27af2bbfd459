import { isAppOrigin } from './identity';

/** The parts of Electron's Session and WebContents this file touches; tests pass fakes. */
export interface SessionLike {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string) => boolean) | null): void;
  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void;
  setDisplayMediaRequestHandler(handler: ((request: unknown, callback: (streams: Record<string, never>) => void) => void) | null): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url?: string }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Wardline needs no camera, microphone, location, notifications-by-web-API, USB, HID, serial or
 * screen capture from the page: every permission request and check is denied. (Desktop
 * notifications come from main via Electron's Notification, not the web permission.)
 */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}

/**
 * A page that navigates away from app://wardline would keep the preload's bridge; a pop-up or a
 * webview would be a window we did not harden. So: navigation only within the app's origin,
 * no new windows, no webviews.
 */
export function lockDownContents(contents: WebContentsLike): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!isAppOrigin(url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
