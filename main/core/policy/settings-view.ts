/**
 * The settings screen's view of policy (protocol's SettingsView): each value with `locked` set when
 * the organisation fixed it, which the renderer shows read-only as SET_BY_ORGANISATION. For the
 * settings a clinician may only tighten, the value is the effective one and the policy value is the
 * ceiling the renderer offers choices under.
 */
import type { NotificationLevel, SettingsView } from '../../../protocol/models';
import { isLocked } from './reader';
import type { EffectivePolicy } from './reader';
import { effectiveIdleLockMinutes, effectiveNotificationContent } from './stricter';

export const SET_BY_ORGANISATION = 'Set by your organisation';

/** The clinician's own choices, as stored in their profile; absent means "no choice made". */
export interface UserPreferences {
  notificationLevel?: NotificationLevel | null;
  idleLockMinutes?: number | null;
}

export function buildSettingsView(policy: EffectivePolicy, prefs: UserPreferences = {}): SettingsView {
  const { values } = policy;
  return {
    notificationLevel: {
      value: effectiveNotificationContent(policy, prefs.notificationLevel),
      locked: isLocked(policy, 'notificationContent'),
    },
    idleLockMinutes: { value: effectiveIdleLockMinutes(policy, prefs.idleLockMinutes), locked: isLocked(policy, 'idleLockMinutes') },
    maxIdleLockMinutes: values.idleLockMinutes,
    maxNotificationLevel: values.notificationContent,
    minPinLength: values.minPinLength,
    maxPinAttempts: values.maxPinAttempts,
    relayUrl: { value: values.relayUrl, locked: isLocked(policy, 'relayUrl') },
    allowSaveAttachments: values.allowSaveAttachments,
    allowExport: values.allowExport,
  };
}
