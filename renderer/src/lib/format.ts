/** How times, days, sizes and names read in the UI: British English, the workstation's clock. */

const LOCALE = 'en-GB';
const DAY_MS = 86_400_000;

const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit' });
const weekdayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric' });
const longDayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

function startOfDay(at: number): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A key that is equal for two times on the same local calendar day. */
export function dayKey(at: number): number {
  return startOfDay(at);
}

/** "14:05" today, "Tue" this week, "3 Dec 2026" before: what a conversation list shows. */
export function listTime(at: number, now = Date.now()): string {
  const today = startOfDay(now);
  if (at >= today) return timeFormat.format(at);
  if (at >= today - 6 * DAY_MS) return weekdayFormat.format(at);
  return shortDateFormat.format(at);
}

/** "Today", "Yesterday", or "Wednesday 3 December 2026": the day separators in a conversation. */
export function dayLabel(at: number, now = Date.now()): string {
  const day = startOfDay(at);
  const today = startOfDay(now);
  if (day === today) return 'Today';
  if (day === startOfDay(today - 1)) return 'Yesterday';
  return longDayFormat.format(at);
}

export function clockTime(at: number): string {
  return timeFormat.format(at);
}

export function fullTime(at: number): string {
  return fullFormat.format(at);
}

/** Sizes in decimal units with one decimal, as file managers on Windows show them to users. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Initials for an avatar, without the title: "Dr Alice Okafor" -> "AO". */
export function initials(name: string): string {
  const parts = name
    .replace(/\(.*?\)/g, '')
    .replace(/^(dr|mr|mrs|ms|mx|prof|nurse|sister)\.?\s+/i, '')
    .split(/\s+/)
    .filter((part) => /^[\p{L}\p{N}]/u.test(part));
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase() || '?';
}

/** "1 unread message", "12 unread messages". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
