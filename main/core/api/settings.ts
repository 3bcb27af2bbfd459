import type { Core } from '../core';
import { buildSettingsView } from '../policy';
import { readPreferences, writePreferences } from '../runtime/preferences';
import type { Handlers } from './dispatch';

export function settingsHandlers(core: Core): Pick<Handlers, 'policy.settings' | 'settings.update' | 'clipboard.copy' | 'workstation.activity'> {
  return {
    'policy.settings': () => buildSettingsView(core.policy.current(), readPreferences(core.runtime.current?.store ?? null)),
    'settings.update': (input) => {
      const open = core.runtime.requireOpen();
      const next = { ...readPreferences(open.store), ...input };
      writePreferences(open.store, next);
      // The view applies the policy: a clinician may make things stricter, never looser.
      return buildSettingsView(core.policy.current(), next);
    },
    'clipboard.copy': async ({ text }) => {
      core.runtime.requireOpen();
      await core.workstation.clipboard.copy(text);
      return null;
    },
    'workstation.activity': () => {
      core.activity?.();
      return null;
    },
  };
}
