import type { WardlineApi } from '../../protocol/bridge';

declare global {
  interface Window {
    /** Provided by the preload (Electron) or the web host's page script; the renderer's only way out. */
    readonly wardline: WardlineApi;
  }
}
