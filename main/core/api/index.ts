import type { Core } from '../core';
import { appHandlers } from './app';
import { createDispatch } from './dispatch';
import type { Dispatch, DispatchOptions, Handlers } from './dispatch';
import { profileHandlers } from './profiles';

export { ApiError } from './errors';
export type { Dispatch } from './dispatch';

/** All handlers, one file per area of the contract; the object type forces every method to have one. */
export function createHandlers(core: Core): Handlers {
  return {
    ...appHandlers(core),
    ...profileHandlers(core),
  };
}

export function createApi(core: Core, options?: DispatchOptions): Dispatch {
  return createDispatch(createHandlers(core), options);
}
