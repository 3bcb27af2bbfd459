import type { Me } from '../../../protocol/models';
import type { Core } from '../core';
import type { OpenProfile } from '../runtime/runtime';
import { listProfiles } from '../vault/profile-directory';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';

export function meOf(open: OpenProfile): Me {
  return {
    profileId: open.session.profileId,
    userId: open.account.userId,
    deviceId: open.account.deviceId,
    username: open.account.username,
    displayName: open.account.displayName,
  };
}

export function profileHandlers(core: Core): Pick<Handlers, 'profiles.list' | 'profiles.enrol' | 'profiles.unlock' | 'profiles.lock' | 'profiles.changePin' | 'profiles.current'> {
  const changed = () => core.events.emit('profiles.changed', listProfiles(core.options.dataDir));
  return {
    'profiles.list': () => listProfiles(core.options.dataDir),
    'profiles.enrol': async ({ relayUrl, code, pin }) => {
      const policy = core.policy.refresh();
      if (policy.sourceOf.relayUrl !== 'default' && policy.values.relayUrl && new URL(relayUrl).origin !== new URL(policy.values.relayUrl).origin) {
        throw new ApiError('policy_forbids', 'Your organisation sets the relay address; use the one shown.');
      }
      const open = await core.runtime.enrol({ relayUrl, code, pin });
      changed();
      return meOf(open);
    },
    'profiles.unlock': async ({ profileId, pin }) => {
      try {
        return meOf(await core.runtime.unlock(profileId, pin));
      } finally {
        // Last used, attempts and the erased state all show on the tiles.
        changed();
      }
    },
    'profiles.lock': async ({ reason }) => {
      await core.runtime.lock(reason ?? 'user');
      return null;
    },
    'profiles.changePin': async ({ currentPin, newPin }) => {
      await core.runtime.changePin(currentPin, newPin);
      return null;
    },
    'profiles.current': () => {
      const open = core.runtime.current;
      return open ? meOf(open) : null;
    },
  };
}
