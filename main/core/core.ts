import { CoreEvents } from './events';

export interface CoreOptions {
  /** The app's data folder: Electron's userData, or a folder the web host or a test chose. */
  dataDir: string;
  /** Which host runs this core; reported to the renderer by app.info. */
  host: 'electron' | 'web-host';
  version: string;
}

/**
 * The state of main/core for one running app: the data folder, the event channel to the
 * renderer, and (as later areas land) the open profile, the relay connection and the policy.
 * Both hosts create exactly one and hand it to the same API handlers.
 */
export interface Core {
  readonly options: Readonly<CoreOptions>;
  readonly events: CoreEvents;
}

export function createCore(options: CoreOptions): Core {
  return { options: Object.freeze({ ...options }), events: new CoreEvents() };
}
