/**
 * Disappearing-messages choices, repeated from main/core/messaging/disappearing.ts (the renderer
 * imports nothing from main); main refuses anything longer than the policy allows again.
 */
export const TIMER_CHOICES_SECONDS = [5 * 60, 60 * 60, 8 * 60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60, 28 * 24 * 60 * 60] as const;

const DAY = 24 * 60 * 60;

/** "Off", "5 minutes", "1 hour", "1 day", "4 weeks": the same words main uses in the conversation's line. */
export function timerLabel(seconds: number): string {
  if (seconds === 0) return 'Off';
  const units: [number, string][] = [[7 * DAY, 'week'], [DAY, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** Why a longer choice is not offered: the organisation's retention period, in days as its policy states it. */
export function capReason(maxSeconds: number): string {
  const days = maxSeconds / DAY;
  const span = Number.isInteger(days) ? `${days} ${days === 1 ? 'day' : 'days'}` : timerLabel(maxSeconds);
  return `Your organisation keeps messages at most ${span}`;
}
