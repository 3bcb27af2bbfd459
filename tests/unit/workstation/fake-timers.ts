import type { Timers } from '../../../main/core/workstation';

/**
 * A clock that moves only when the test says so. advance() runs every timer that falls due, in
 * order, with now() set to each one's due time, as the real clock would have been.
 */
export class FakeTimers implements Timers {
  #now: number;
  #nextId = 1;
  readonly #tasks = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 11, 4, 9, 0, 0)) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#nextId++;
    this.#tasks.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => void this.#tasks.delete(handle as number);

  /** When the earliest waiting timer falls due; null when none waits. */
  nextDue(): number | null {
    let at: number | null = null;
    for (const task of this.#tasks.values()) if (at === null || task.at < at) at = task.at;
    return at;
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.#tasks.size;
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#tasks) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#tasks.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = end;
  }
}

/** Lets promise callbacks started by a timer finish. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
