import type { NotificationLevel } from '../../../protocol/models';
import type { UserPreferences } from '../policy';
import type { Store } from '../store';

export const PREFERENCES_KEY = 'preferences';

/** The clinician's own choices, kept in their encrypted store; the policy bounds them when applied. */
export function readPreferences(store: Store | null): UserPreferences {
  const raw = store?.settings.get(PREFERENCES_KEY);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const r = raw as Record<string, unknown>;
  return {
    notificationLevel: r.notificationLevel === 'none' || r.notificationLevel === 'sender' || r.notificationLevel === 'full' ? (r.notificationLevel as NotificationLevel) : null,
    idleLockMinutes: typeof r.idleLockMinutes === 'number' ? r.idleLockMinutes : null,
  };
}

export function writePreferences(store: Store, prefs: UserPreferences): void {
  store.settings.set(PREFERENCES_KEY, { notificationLevel: prefs.notificationLevel ?? null, idleLockMinutes: prefs.idleLockMinutes ?? null });
}
