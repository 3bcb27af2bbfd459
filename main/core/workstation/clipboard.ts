import { createHash } from 'node:crypto';
import type { Timers } from './timers';

/** The clipboard functions used: Electron's clipboard (main/app/clipboard.ts) or a test fake. */
export interface ClipboardLike {
  writeText(text: string): void | Promise<void>;
  readText(): string | Promise<string>;
  clear(): void | Promise<void>;
}

export interface ClipboardGuardOptions {
  clipboard: ClipboardLike;
  /** Read at every copy (effectiveClipboardClearSeconds); 0 leaves the text until lock. */
  clearAfterSeconds: number | (() => number);
  timers: Timers;
}

/**
 * Copies message text for the clinician and takes it back later: after `clearAfterSeconds`, and
 * at once when the profile locks. It clears only while the clipboard still holds exactly what
 * Wardline put there: whatever the clinician copied since (a bed number from the patient
 * record) is theirs and stays. Only a SHA-256 of the copied text is kept for that comparison, so
 * the guard holds no message text of its own.
 */
export class ClipboardGuard {
  readonly #o: ClipboardGuardOptions;
  #digest: string | null = null;
  #timer: unknown = null;
  /** Bumped by every copy, so a clear that started before a newer copy cannot take it away. */
  #generation = 0;

  constructor(options: ClipboardGuardOptions) {
    this.#o = options;
  }

  /** True while text copied from Wardline may still be on the clipboard. */
  get holding(): boolean {
    return this.#digest !== null;
  }

  async copy(text: string): Promise<void> {
    this.#cancelTimer();
    const generation = ++this.#generation;
    this.#digest = null;
    await this.#o.clipboard.writeText(text);
    if (generation !== this.#generation || text === '') return;
    this.#digest = digest(text);
    const seconds = typeof this.#o.clearAfterSeconds === 'function' ? this.#o.clearAfterSeconds() : this.#o.clearAfterSeconds;
    if (Number.isFinite(seconds) && seconds > 0) {
      this.#timer = this.#o.timers.setTimeout(() => {
        this.#timer = null;
        void this.#clearIfOurs().catch((e: unknown) => console.error('clipboard clear failed:', e));
      }, seconds * 1000);
    }
  }

  /** On lock (whatever the delay setting) and at quit. Resolves true when it cleared. */
  async clearNow(): Promise<boolean> {
    this.#cancelTimer();
    return this.#clearIfOurs();
  }

  async #clearIfOurs(): Promise<boolean> {
    const wanted = this.#digest;
    const generation = this.#generation;
    this.#digest = null;
    if (wanted === null) return false;
    const current = await this.#o.clipboard.readText();
    if (generation !== this.#generation || digest(current) !== wanted) return false;
    await this.#o.clipboard.clear();
    return true;
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
