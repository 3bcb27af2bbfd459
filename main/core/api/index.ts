import type { Core } from '../core';
import { appHandlers } from './app';
import { attachmentHandlers } from './attachments';
import { conversationHandlers } from './conversations';
import { createDispatch } from './dispatch';
import { exportHandlers } from './export';
import { groupHandlers } from './groups';
import type { Dispatch, DispatchOptions, Handlers } from './dispatch';
import { messageHandlers } from './messages';
import { profileHandlers } from './profiles';
import { settingsHandlers } from './settings';

export { ApiError } from './errors';
export type { Dispatch } from './dispatch';

/** All handlers, one file per area of the contract; the object type forces every method to have one. */
export function createHandlers(core: Core): Handlers {
  return {
    ...appHandlers(core),
    ...settingsHandlers(core),
    ...profileHandlers(core),
    ...conversationHandlers(core),
    ...groupHandlers(core),
    ...messageHandlers(core),
    ...attachmentHandlers(core),
    ...exportHandlers(core),
  };
}

export function createApi(core: Core, options?: DispatchOptions): Dispatch {
  return createDispatch(createHandlers(core), options);
}
