import type { NotificationLevel } from '../../../protocol/models';
import type { Timers } from './timers';

/**
 * What a desktop notification says. A notification is shown to whoever stands at the screen and
 * stays in the OS's notification centre after Wardline locks, so by default it names nothing:
 * "New message in Wardline". Policy can allow the sender's name, or name and text; a clinician can
 * only choose less (policy/stricter.ts). Anything unexpected falls back to 'none'.
 */
export interface NotificationText {
  title: string;
  body: string;
}

/** A received message as the notifier needs it; direct and group messages alike. */
export interface IncomingMessage {
  senderName: string;
  text: string;
  /** A group message naming this clinician with an @mention. */
  mention?: boolean;
}

export const NOTIFICATION_TITLE = 'Wardline';
export const GENERIC_BODY = 'New message in Wardline';
const MAX_NAME_CHARS = 64;
const MAX_BODY_CHARS = 120;

/**
 * A group message that @mentions this clinician says so where the level allows the sender's name
 * ("Dr Alice Okafor mentioned you"); at 'none' it is as anonymous as any other message.
 */
export function notificationText(level: NotificationLevel, message: IncomingMessage): NotificationText {
  switch (level) {
    case 'full': {
      const name = clean(message.senderName, MAX_NAME_CHARS);
      const title = name ? (message.mention ? `${name} mentioned you` : name) : NOTIFICATION_TITLE;
      return { title, body: clean(message.text, MAX_BODY_CHARS) || 'New message' };
    }
    case 'sender': {
      const name = clean(message.senderName, MAX_NAME_CHARS);
      return { title: NOTIFICATION_TITLE, body: name ? (message.mention ? `${name} mentioned you` : `New message from ${name}`) : GENERIC_BODY };
    }
    default:
      return { title: NOTIFICATION_TITLE, body: GENERIC_BODY };
  }
}

/** One notification for several messages that arrived together. Never any message text. */
export function burstText(level: NotificationLevel, messages: readonly { senderName: string }[]): NotificationText {
  const n = messages.length;
  if (level !== 'sender' && level !== 'full') return { title: NOTIFICATION_TITLE, body: `${n} new messages in Wardline` };
  const names = [...new Set(messages.map((m) => clean(m.senderName, MAX_NAME_CHARS)).filter((s) => s !== ''))];
  if (names.length === 0) return { title: NOTIFICATION_TITLE, body: `${n} new messages in Wardline` };
  const from =
    names.length === 1 ? names[0]
      : names.length === 2 ? `${names[0]} and ${names[1]}`
        : `${names[0]}, ${names[1]} and ${names.length - 2} other${names.length === 3 ? '' : 's'}`;
  return { title: NOTIFICATION_TITLE, body: `${n} new messages from ${from}` };
}

/**
 * An urgent message's alert. Never the message text, whatever the level: it repeats until
 * acknowledged, so it is on screen for minutes, in front of whoever passes.
 */
export function urgentText(level: NotificationLevel, message: { senderName: string }): NotificationText {
  const name = level === 'sender' || level === 'full' ? clean(message.senderName, MAX_NAME_CHARS) : '';
  return { title: NOTIFICATION_TITLE, body: name ? `Urgent message from ${name}: open Wardline to acknowledge` : 'Urgent message in Wardline: open Wardline to acknowledge' };
}

/**
 * Control characters, line breaks and bidi overrides out (a name cannot fake a second line or
 * reverse the text after it), whitespace collapsed, cut at a grapheme boundary so an emoji or
 * accented letter is never split. Zero-width joiners stay: emoji sequences need them.
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/gu;

function clean(text: string, max: number): string {
  const flat = String(text ?? '').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(flat)].map((s) => s.segment);
  return graphemes.length <= max ? flat : `${graphemes.slice(0, max - 1).join('').trimEnd()}…`;
}

/** A shown notification, so it can be taken back when the profile locks. */
export interface ShownNotification {
  close(): void;
}

export interface NotifierOptions {
  /** Shows one notification (Electron's Notification in main/app/notify.ts). */
  show(text: NotificationText): ShownNotification | void;
  /** The effective level (effectiveNotificationContent), read for every notification. */
  level(): NotificationLevel;
  timers: Timers;
  /** Messages within this window after a notification are gathered into one. Default 5 s. */
  coalesceMs?: number;
}

const MAX_TRACKED = 20;

/**
 * Decides when to notify. Starts locked and says nothing until unlock(); lock() drops whatever
 * was waiting and closes what was shown, so no name or text outlives the session on screen.
 * The first message of a burst is shown at once; the rest of the burst becomes one summary
 * at the end of the window.
 */
export class Notifier {
  readonly #o: NotifierOptions;
  readonly #coalesceMs: number;
  #locked = true;
  #window: unknown = null;
  #pending: { senderName: string; text: string }[] = [];
  #shown: ShownNotification[] = [];

  constructor(options: NotifierOptions) {
    this.#o = options;
    this.#coalesceMs = options.coalesceMs ?? 5_000;
  }

  get locked(): boolean {
    return this.#locked;
  }

  unlock(): void {
    this.#locked = false;
  }

  lock(): void {
    this.#locked = true;
    this.#pending = [];
    if (this.#window !== null) this.#o.timers.clearTimeout(this.#window);
    this.#window = null;
    for (const shown of this.#shown.splice(0)) {
      try {
        shown.close();
      } catch {
        // Already dismissed by the user or the OS.
      }
    }
  }

  /**
   * A mention is shown at once even inside a burst's window: it is addressed to this clinician, and
   * a summary ("5 new messages") would hide that.
   */
  message(message: IncomingMessage): void {
    if (this.#locked) return;
    if (message.mention) {
      this.#show(notificationText(this.#o.level(), message));
      return;
    }
    if (this.#window !== null) {
      this.#pending.push({ senderName: message.senderName, text: message.text });
      return;
    }
    this.#show(notificationText(this.#o.level(), message));
    this.#openWindow();
  }

  /** An urgent message's alert: shown at once, never gathered into a burst; nothing while locked. */
  urgent(message: { senderName: string }): void {
    if (this.#locked) return;
    this.#show(urgentText(this.#o.level(), message));
  }

  #openWindow(): void {
    this.#window = this.#o.timers.setTimeout(() => {
      this.#window = null;
      const burst = this.#pending.splice(0);
      if (this.#locked || burst.length === 0) return;
      const level = this.#o.level();
      this.#show(burst.length === 1 ? notificationText(level, burst[0]!) : burstText(level, burst));
      this.#openWindow();
    }, this.#coalesceMs);
  }

  #show(text: NotificationText): void {
    const shown = this.#o.show(text);
    if (!shown) return;
    this.#shown.push(shown);
    if (this.#shown.length > MAX_TRACKED) this.#shown.shift();
  }
}
