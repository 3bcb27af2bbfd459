import type { ClipboardLike } from '../core/workstation';

/** The part of Electron's clipboard used here (async in Electron 45; sync in older versions). */
export interface ElectronClipboardLike {
  writeText(text: string): void | Promise<void>;
  readText(): string | Promise<string>;
  clear(): void | Promise<void>;
}

/**
 * Electron's clipboard as core's ClipboardGuard wants it. Only main touches the clipboard: the
 * renderer asks through the contract, so every copy of message text passes the guard.
 */
export function electronClipboard(clipboard: ElectronClipboardLike): ClipboardLike {
  return {
    writeText: (text) => clipboard.writeText(text),
    readText: () => clipboard.readText(),
    clear: () => clipboard.clear(),
  };
}
