import { setImmediate as yieldToLoop } from 'node:timers/promises';
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

export interface SweepResult {
  messages: number;
  attachments: number;
}

export interface RetentionOptions {
  store: Store;
  /** The organisation's retentionDays, read at every sweep so a policy change applies within the hour; 0 keeps everything. */
  retentionDays(): number;
  timers: SweepTimers;
  /** Messages deleted per transaction (default SWEEP_CHUNK; tests make it small). */
  chunk?: number;
  /** Search index pages merged per transaction (default MERGE_PAGES). */
  mergePages?: number;
  /** After messages were deleted (the UI refreshes its lists). */
  swept?(result: SweepResult): void;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

/**
 * Messages per transaction. The store answers the renderer on the same thread, so one chunk is
 * the longest a search or a page waits behind a sweep: ~15 ms (median) measured at 1,000,000 messages.
 */
export const SWEEP_CHUNK = 500;
/** Search index pages written per merge step, sized like a chunk: ~12-16 ms (median) at 1,000,000 messages. */
export const MERGE_PAGES = 100;

/**
 * The organisation's retention period, applied on this workstation: at unlock and every hour,
 * messages older than retentionDays are deleted (and, in conversations with a disappearing-
 * messages timer, the messages that timer has run out for, swept when the next one is due) with
 * their attachments and search entries, and the WAL is checkpointed so the only copies of those
 * pages left are the zeroed ones (secure_delete). Each workstation does this itself: the relay
 * cannot, it holds no plaintext.
 *
 * A sweep deletes in chunks, one transaction each, and lets the event loop run between them, so
 * a large backlog (a first sweep under a new policy) never holds the store for more than a chunk.
 * stop() (the profile locks and the store closes) ends a sweep between chunks: every chunk is
 * committed whole, and the next unlock's sweep deletes the rest.
 */
export class RetentionSweeper {
  #timer: unknown = null;
  #stopped = true;
  /** Bumped by stop(): a sweep started before it ends at its next chunk. */
  #generation = 0;
  #running: Promise<SweepResult> | null = null;
  #busy = false;
  /** sweep() was called during a sweep: it makes one more pass before it ends. */
  #again = false;
  readonly #chunk: number;
  readonly #mergePages: number;

  constructor(private readonly o: RetentionOptions) {
    this.#chunk = o.chunk ?? SWEEP_CHUNK;
    this.#mergePages = o.mergePages ?? MERGE_PAGES;
  }

  start(): void {
    this.#stopped = false;
    void this.sweep();
  }

  stop(): void {
    this.#stopped = true;
    this.#generation += 1;
    this.#busy = false;
    this.#again = false;
    this.#running = null;
    if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * One sweep now, or, while one runs, one more pass of that one; schedules the next. Resolves
   * with what was deleted. When what is due fits in one chunk, it is deleted and swept() called
   * before this returns (the UI expects that after a timer change); the search index merge and
   * the checkpoint may go on after it.
   */
  sweep(): Promise<SweepResult> {
    if (this.#stopped) return Promise.resolve({ messages: 0, attachments: 0 });
    if (this.#busy && this.#running) {
      this.#again = true;
      return this.#running;
    }
    const running = this.#run(this.#generation);
    // Kept only while #busy, i.e. only if #run is still waiting between chunks.
    this.#running = running;
    return running;
  }

  async #run(generation: number): Promise<SweepResult> {
    this.#busy = true;
    const live = (): boolean => generation === this.#generation;
    const total: SweepResult = { messages: 0, attachments: 0 };
    let wait = SWEEP_EVERY_MS;
    try {
      const { store } = this.o;
      let days = 0;
      let disappeared = 0;
      do {
        this.#again = false;
        const now = this.o.timers.now();
        days = this.o.retentionDays();
        // Awaited only when there was more than one chunk: a small sweep never waits (see sweep()).
        let old = days > 0 ? this.#chunks(generation, (n) => store.messages.deleteOlderThan(now - days * DAY_MS, n)) : null;
        if (old instanceof Promise) old = await old;
        // Disappearing messages: per conversation, on their own timer.
        let expired = live() ? this.#chunks(generation, (n) => store.messages.deleteExpired(now, n)) : null;
        if (expired instanceof Promise) expired = await expired;
        for (const r of [old, expired]) {
          total.messages += r?.messages ?? 0;
          total.attachments += r?.attachments ?? 0;
        }
        disappeared += expired?.messages ?? 0;
      } while (this.#again && live());
      if (!live()) return total;
      // The lists can refresh now: the rows are gone and search no longer finds them.
      if (total.messages > 0) this.o.swept?.({ ...total });
      // Their words leave the search index's pages (also a merge a stop interrupted, or one a
      // clinician's delete asked for).
      const merging = store.messages.searchMergePending();
      const merged = this.#steps(generation, () => store.messages.mergeSearchStep(this.#mergePages));
      if (merged instanceof Promise) await merged;
      // Stopped (locking): the store is closing; the next unlock sweeps and merges the rest.
      if (!live()) return total;
      if (total.messages > 0 || merging) store.checkpoint();
      if (total.messages > 0) this.o.log?.('retention.swept', { ...total, days, disappeared });
      const now = this.o.timers.now();
      const next = store.messages.nextExpiry();
      if (next !== null) wait = Math.min(wait, Math.max(MIN_WAIT_MS, next - now));
    } catch (err) {
      // The store closed under us (locking): the next unlock sweeps again.
      if (live() && !this.#stopped) this.o.log?.('retention.failed', { reason: err instanceof Error ? err.name : 'error' });
    }
    if (live()) {
      this.#busy = false;
      this.#running = null;
      if (!this.#stopped) {
        if (this.#timer !== null) this.o.timers.clearTimeout(this.#timer);
        this.#timer = this.o.timers.setTimeout(() => void this.sweep(), wait);
      }
    }
    return total;
  }

  /** Deletes chunk by chunk with #steps, adding up what each chunk deleted. */
  #chunks(generation: number, step: (limit: number) => SweepResult): SweepResult | Promise<SweepResult> {
    const sum: SweepResult = { messages: 0, attachments: 0 };
    const done = this.#steps(generation, () => {
      const r = step(this.#chunk);
      sum.messages += r.messages;
      sum.attachments += r.attachments;
      return r.messages >= this.#chunk;
    });
    return done instanceof Promise ? done.then(() => sum) : sum;
  }

  /**
   * Runs `step` (one transaction) while it reports more to do, letting the event loop run between
   * steps; ends early when stop() was called meanwhile. Returns nothing, not a promise, when the
   * first step was the last: the caller then goes on without waiting.
   */
  #steps(generation: number, step: () => boolean): void | Promise<void> {
    if (!step()) return;
    return (async () => {
      do {
        await yieldToLoop();
        if (generation !== this.#generation) return;
      } while (step());
    })();
  }
}
