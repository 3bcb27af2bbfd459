/**
 * The clock and the one-shot timer every workstation module takes as a parameter, so tests drive
 * time by hand (tests/unit/workstation/fake-timers.ts) and never wait for real seconds.
 */
export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The process's own clock and timers. Unref'd: a pending clipboard clear or idle poll must not
 * keep a test or a script alive (Electron and the web host stay up for their own reasons).
 */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
