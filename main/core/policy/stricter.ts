/**
 * Settings a clinician may tighten but never loosen. The organisation's value (or the default) is
 * a ceiling; a personal choice applies only when it is stricter. A missing or malformed choice
 * (an old preferences file, a renderer bug) simply leaves the policy value in force.
 */
import { NOTIFICATION_CONTENT, SETTINGS } from './schema';
import type { NotificationContent } from './schema';
import type { EffectivePolicy } from './reader';

/** Lock after the shorter of the policy's and the clinician's idle time. */
export function effectiveIdleLockMinutes(policy: EffectivePolicy, userChoice: number | null | undefined): number {
  const ceiling = policy.values.idleLockMinutes;
  if (!isWholeNumber(userChoice) || userChoice < SETTINGS.idleLockMinutes.min) return ceiling;
  return Math.min(ceiling, userChoice);
}

/** Show the less revealing of the policy's and the clinician's choice: none < sender < full. */
export function effectiveNotificationContent(policy: EffectivePolicy, userChoice: string | null | undefined): NotificationContent {
  const ceiling = policy.values.notificationContent;
  const chosen = NOTIFICATION_CONTENT.indexOf(userChoice as NotificationContent);
  if (chosen < 0) return ceiling;
  return NOTIFICATION_CONTENT[Math.min(chosen, NOTIFICATION_CONTENT.indexOf(ceiling))] ?? ceiling;
}

/**
 * Clear the clipboard after the shorter of the two delays. 0 means "never clear", which is the
 * loosest choice, not the strictest: the policy's 0 yields to any delay the clinician picks, and
 * the clinician's 0 never overrides the policy's delay.
 */
export function effectiveClipboardClearSeconds(policy: EffectivePolicy, userChoice: number | null | undefined): number {
  const ceiling = policy.values.clipboardClearSeconds;
  if (!isWholeNumber(userChoice) || userChoice <= 0 || userChoice > SETTINGS.clipboardClearSeconds.max) return ceiling;
  return ceiling === 0 ? userChoice : Math.min(ceiling, userChoice);
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
