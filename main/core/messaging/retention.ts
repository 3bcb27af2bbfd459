import type { Store } from '../store';

export const DAY_MS = 24 * 60 * 60_000;
export const SWEEP_EVERY_MS = 60 * 60_000;
/** Disappearing messages are swept when due, but never more often than this. */
const MIN_WAIT_MS = 1_000;

/** The clock and one-shot timer the sweep runs on (workstation/timers.ts has the same shape). */
export interface SweepTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RetentionOptions {
  store: Store;
  /** The organisation's retentionDays, read at every sweep so a policy change applies within the hour; 0 keeps everything. */
  retentionDays(): number;
  timers: SweepTimers;
  /** After messages were deleted (the UI refreshes its lists). */
  swept?(result: { messages: number; attachments: number }): void;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

/**
 * The organisation's retention period, applied on this workstation: at unlock and every hour,
 * messages older than retentionDays are deleted (and, in conversations with a disappearing-
 * messages timer, the messages that timer has run out for, swept when the next one is due) with their attachments and search entries, and
 * the WAL is checkpointed so the only copies of those pages left are the zeroed ones
 * (secure_delete). Each workstation does this itself: the relay cannot, it holds no plaintext.
 */
export class RetentionSweeper {
  #timer: unknown = null;
  #stopped = true;

  constructor(private readonly o: RetentionOptions) {}

  start(): void {
    this.#stopped = false;
    this.sweep();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** One sweep now; schedules the next. Returns what was deleted. */
  sweep(): { messages: number; attachments: number } {
    const none = { messages: 0, attachments: 0 };
    if (this.#stopped) return none;
    let result = none;
    let wait = SWEEP_EVERY_MS;
    try {
      const now = this.o.timers.now();
      const days = this.o.retentionDays();
      const old = days > 0 ? this.o.store.messages.deleteOlderThan(now - days * DAY_MS) : none;
      // Disappearing messages: per conversation, on their own timer.
      const expired = this.o.store.messages.deleteExpired(now);
      result = { messages: old.messages + expired.messages, attachments: old.attachments + expired.attachments };
      if (result.messages > 0) {
        this.o.store.checkpoint();
        this.o.log?.('retention.swept', { ...result, days, disappeared: expired.messages });
        this.o.swept?.(result);
      }
      const next = this.o.store.messages.nextExpiry();
      if (next !== null) wait = Math.min(wait, Math.max(MIN_WAIT_MS, next - now));
    } catch (err) {
      // The store closed under us (locking): the next unlock sweeps again.
      if (!this.#stopped) this.o.log?.('retention.failed', { reason: err instanceof Error ? err.name : 'error' });
    }
    if (!this.#stopped) {
      if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
      this.#timer = this.o.timers.setTimeout(() => void this.sweep(), wait);
    }
    return result;
  }
}
