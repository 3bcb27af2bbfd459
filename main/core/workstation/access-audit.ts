import type { LockReason } from '../../../protocol/models';
import { isVaultError } from '../vault';
import type { MachineAccessLog } from './access-log';
import type { Timers } from './timers';

/**
 * One call per access event, written to both logs: the machine log for IT (event, time, profile
 * id: see access-log.ts) and, while the profile is open, its own log inside the encrypted store
 * with the fuller detail only its clinician should see.
 *
 * The vault already writes 'enrol', 'unlock' (failed attempts before it, restored copy, KDF
 * upgrade) and 'lock' into the profile's log; this adds what the vault cannot know, such as
 * why a profile locked and what was exported, and never duplicates those rows.
 */
export interface AuditedSession {
  readonly profileId: string;
  /** Store or AsyncStore: append may return a value or a promise. */
  readonly store: { readonly accessLog: { append(entry: { at: number; event: string; detail?: string | null }): unknown } };
}

export interface AccessAuditOptions {
  machine: MachineAccessLog;
  timers: Pick<Timers, 'now'>;
  /** A profile-log write that failed. Default: console.error. No audit call ever throws. */
  onError?(error: unknown): void;
}

export class AccessAudit {
  readonly #o: AccessAuditOptions;

  constructor(options: AccessAuditOptions) {
    this.#o = options;
  }

  enrolled(session: AuditedSession): void {
    this.#o.machine.record({ event: 'enrolled', profileId: session.profileId });
  }

  unlocked(session: AuditedSession): void {
    this.#o.machine.record({ event: 'unlocked', profileId: session.profileId });
  }

  /**
   * vault.unlock threw. `stateBefore` is the profile's state from vault.list() before the attempt,
   * so an attempt on a profile that was already erased is not logged as a new erasure.
   * Nothing goes to the profile's own log: its store is locked (the vault's counter reports the
   * failed attempts at the next unlock).
   */
  unlockFailed(profileId: string, error: unknown, stateBefore: 'active' | 'erased' | undefined): void {
    if (isVaultError(error, 'wrong_pin')) {
      this.#o.machine.record({ event: 'failed_pin', profileId });
    } else if (isVaultError(error, 'erased') && stateBefore === 'active') {
      this.#o.machine.record({ event: 'failed_pin', profileId });
      this.#o.machine.record({ event: 'erased', profileId, reason: 'too_many_attempts' });
    }
  }

  /** The organisation's verified wipe order crypto-erased the profile. */
  wiped(profileId: string): void {
    this.#o.machine.record({ event: 'erased', profileId, reason: 'remote_wipe' });
  }

  /** A damaged or erased profile was deleted from the workstation (vault.remove). */
  removed(profileId: string): void {
    this.#o.machine.record({ event: 'erased', profileId, reason: 'removed' });
  }

  /** Call before session.lock(): afterwards the store is closed and takes no more rows. */
  async locking(session: AuditedSession, reason: LockReason | 'switch'): Promise<void> {
    this.#o.machine.record({ event: 'locked', profileId: session.profileId, reason });
    await this.#profileLog(session, 'lock_requested', { reason });
  }

  /** A conversation was exported for the patient record. The profile log keeps which one. */
  async exported(session: AuditedSession, what: { conversationId: string; messageCount: number }): Promise<void> {
    this.#o.machine.record({ event: 'export', profileId: session.profileId, reason: 'pdf' });
    await this.#profileLog(session, 'export', { format: 'pdf', conversationId: what.conversationId, messageCount: what.messageCount });
  }

  async #profileLog(session: AuditedSession, event: string, detail: Record<string, string | number>): Promise<void> {
    try {
      await session.store.accessLog.append({ at: this.#o.timers.now(), event, detail: JSON.stringify(detail) });
    } catch (error) {
      (this.#o.onError ?? ((e: unknown) => console.error('profile access log:', e)))(error);
    }
  }
}
