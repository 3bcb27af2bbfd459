import { listProfiles } from '../vault/profile-directory';
import type { Core } from '../core';
import type { Handlers } from './dispatch';

export function profileHandlers(core: Core): Pick<Handlers, 'profiles.list'> {
  return {
    'profiles.list': () => listProfiles(core.options.dataDir),
  };
}
