/** The part of a BrowserWindow used here; tests pass a fake. */
export interface ProtectableWindow {
  setContentProtection(enable: boolean): void;
}

/**
 * Keeps Wardline's window out of screenshots, screen sharing and recording (on Windows 10 2004+
 * the window is left out of the capture; older versions capture it black) unless the
 * organisation allows capture. Call at window creation and again whenever policy is re-read.
 */
export function applyContentProtection(win: ProtectableWindow, policy: { readonly allowScreenCapture: boolean }): void {
  win.setContentProtection(policy.allowScreenCapture !== true);
}

/** A key press as Electron's 'before-input-event' reports it. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  shift: boolean;
  alt: boolean;
  isAutoRepeat?: boolean;
}

export interface InputSource {
  on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
}

/** Ctrl+Shift+L (Cmd+Shift+L on macOS): hide everything and lock. */
export function isHideShortcut(input: KeyInput, platform: NodeJS.Platform = process.platform): boolean {
  const primary = platform === 'darwin' ? input.meta : input.control;
  return input.type === 'keyDown' && primary && input.shift && !input.alt && input.key.toLowerCase() === 'l';
}

/**
 * The hide-everything shortcut, caught in main before the page sees the key, so it works even
 * while the renderer is busy or showing a dialog. `onHide` locks the profile (reason 'shortcut'),
 * which clears every message from the renderer.
 */
export function watchHideShortcut(contents: InputSource, onHide: () => void, platform: NodeJS.Platform = process.platform): void {
  contents.on('before-input-event', (event, input) => {
    if (!isHideShortcut(input, platform)) return;
    event.preventDefault();
    if (!input.isAutoRepeat) onHide();
  });
}
