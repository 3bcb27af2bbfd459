import type { LockReason } from '../../../protocol/models';
import type { Timers } from './timers';

export const DEFAULT_WARN_SECONDS = 30;
export const DEFAULT_POLL_MS = 1_000;
/** Used when lockAfterMinutes() returns nonsense: a broken setting must make the lock sooner, not never. */
const FALLBACK_LOCK_MINUTES = 1;

export interface IdleLockOptions {
  /**
   * Seconds without input. Electron: powerMonitor.getSystemIdleTime() (the whole workstation, so a
   * clinician typing in the patient record keeps Wardline open). Web host: activityIdleSource.
   */
  idleSeconds(): number;
  /** Read at every poll, so a shorter personal choice or a refreshed policy applies at once. */
  lockAfterMinutes(): number;
  /**
   * Optional backstop for a missed OS event: true while the OS session is locked
   * (powerMonitor.getSystemIdleState(1) === 'locked'). Remote-desktop disconnects and some
   * thin clients lock the session without a 'lock-screen' event.
   */
  osLocked?(): boolean;
  warnSeconds?: number;
  pollMs?: number;
  timers: Timers;
  /** Once per warning: the renderer counts down by itself from `secondsLeft`. */
  onWarn(secondsLeft: number): void;
  /** Input resumed during the warning, seen by the idle source rather than the renderer. */
  onWarnCleared(): void;
  /** Lock the open profile. The controller has stopped itself before this is called. */
  onLock(reason: LockReason): void;
  /** A failed poll (idle source threw, a callback threw); polling goes on. Default: console.error. */
  onError?(error: unknown): void;
}

/**
 * Locks the open profile after the idle limit, with a warning `warnSeconds` before it, and at
 * once on OS events. Runs only between start() (a profile was unlocked) and stop() or a lock:
 * with every profile locked there is nothing to protect and nothing polls.
 */
export class IdleLockController {
  readonly #o: IdleLockOptions;
  readonly #warnSeconds: number;
  readonly #pollMs: number;
  #active = false;
  #warning = false;
  #timer: unknown = null;

  constructor(options: IdleLockOptions) {
    const warnSeconds = options.warnSeconds ?? DEFAULT_WARN_SECONDS;
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    if (!(warnSeconds >= 0)) throw new RangeError(`warnSeconds must be >= 0, got ${warnSeconds}`);
    if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
    this.#o = options;
    this.#warnSeconds = warnSeconds;
    this.#pollMs = pollMs;
  }

  get active(): boolean {
    return this.#active;
  }

  /** A profile was unlocked: begin watching. Calling it again changes nothing. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#warning = false;
    this.#schedule();
  }

  /** The profile was locked by other means (the clinician, the vault): stop watching. */
  stop(): void {
    this.#active = false;
    this.#warning = false;
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Locks at once (OS screen lock, suspend, user switch, the hide shortcut). Returns false when
   * nothing was unlocked. A throwing onLock reaches the caller; the controller is stopped either way.
   */
  lockNow(reason: LockReason): boolean {
    if (!this.#active) return false;
    this.stop();
    this.#o.onLock(reason);
    return true;
  }

  /** Polls now instead of at the next tick; call after the limit was shortened. */
  check(): void {
    if (!this.#active) return;
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#poll();
  }

  #schedule(): void {
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = null;
      this.#poll();
    }, this.#pollMs);
  }

  #poll(): void {
    try {
      if (this.#o.osLocked?.() === true) {
        this.lockNow('os-lock');
        return;
      }
      const limit = this.#limitSeconds();
      const idle = this.#o.idleSeconds();
      if (idle >= limit) {
        this.lockNow('idle');
        return;
      }
      const left = limit - idle;
      if (left <= this.#warnSeconds) {
        if (!this.#warning) {
          this.#warning = true;
          this.#o.onWarn(Math.ceil(left));
        }
      } else if (this.#warning) {
        this.#warning = false;
        this.#o.onWarnCleared();
      }
    } catch (error) {
      (this.#o.onError ?? ((e: unknown) => console.error('idle lock poll failed:', e)))(error);
    } finally {
      if (this.#active && this.#timer === null) this.#schedule();
    }
  }

  #limitSeconds(): number {
    const minutes = this.#o.lockAfterMinutes();
    return (Number.isFinite(minutes) && minutes > 0 ? minutes : FALLBACK_LOCK_MINUTES) * 60;
  }
}

/**
 * The idle source of the web host, which has no OS idle time: seconds since the renderer last
 * reported input (a `workstation.activity` ping) or since the profile was unlocked.
 */
export function activityIdleSource(timers: Pick<Timers, 'now'>): { activity(): void; idleSeconds(): number } {
  let last = timers.now();
  return {
    activity: () => void (last = timers.now()),
    idleSeconds: () => Math.max(0, Math.floor((timers.now() - last) / 1000)),
  };
}
