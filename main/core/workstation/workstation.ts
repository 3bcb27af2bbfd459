import type { LockReason, NotificationLevel } from '../../../protocol/models';
import { AccessAudit } from './access-audit';
import type { AuditedSession } from './access-audit';
import { MachineAccessLog } from './access-log';
import { ClipboardGuard } from './clipboard';
import type { ClipboardLike } from './clipboard';
import { IdleLockController } from './idle-lock';
import { Notifier } from './notifications';
import type { NotificationText, ShownNotification } from './notifications';
import { systemTimers } from './timers';
import { UrgentAlerts } from './urgent-alerts';
import type { Timers } from './timers';

/** The effective settings (policy ceiling and the clinician's stricter choice), read when needed. */
export interface WorkstationSettings {
  idleLockMinutes: number;
  notificationLevel: NotificationLevel;
  clipboardClearSeconds: number;
}

export interface WorkstationOptions {
  dataDir: string;
  /**
   * Electron: powerIdleSource(powerMonitor). Web host: activityIdleSource(timers), whose
   * activity() is also called at every unlock (typing the PIN was input).
   */
  idle: { idleSeconds(): number; osLocked?(): boolean; activity?(): void };
  settings(): WorkstationSettings;
  clipboard: ClipboardLike;
  /** Shows one OS notification (main/app/notify.ts); omit where there are none (web host). */
  showNotification?(text: NotificationText): ShownNotification | void;
  /** Locks the open profile: runtime.lock(reason), which calls beforeLock() first. */
  lock(reason: LockReason): Promise<unknown>;
  /** To the renderer: profiles.lockWarning, and its withdrawal when input resumed elsewhere. */
  warn(secondsLeft: number): void;
  warnCleared(): void;
  timers?: Timers;
  onError?(error: unknown): void;
}

/**
 * The shared-workstation behaviour around one open profile, in one object for the core to call
 * at two moments: unlocked(session) and beforeLock(session, reason). Everything else follows:
 * the idle lock runs only while a profile is open, notifications are silent while none is, and
 * locking takes back the clipboard and shown notifications before the store closes.
 */
export class Workstation {
  readonly idle: IdleLockController;
  readonly audit: AccessAudit;
  readonly notifier: Notifier;
  readonly clipboard: ClipboardGuard;
  readonly urgent: UrgentAlerts;
  readonly #o: WorkstationOptions;

  constructor(options: WorkstationOptions) {
    this.#o = options;
    const timers = options.timers ?? systemTimers;
    const onError = options.onError ?? ((e: unknown) => console.error('workstation:', e));
    this.audit = new AccessAudit({ machine: new MachineAccessLog({ dataDir: options.dataDir, timers, onError }), timers, onError });
    this.notifier = new Notifier({ show: (text) => options.showNotification?.(text), level: () => options.settings().notificationLevel, timers });
    this.urgent = new UrgentAlerts({ notifier: this.notifier, timers });
    this.clipboard = new ClipboardGuard({ clipboard: options.clipboard, clearAfterSeconds: () => options.settings().clipboardClearSeconds, timers });
    this.idle = new IdleLockController({
      idleSeconds: () => options.idle.idleSeconds(),
      ...(options.idle.osLocked ? { osLocked: () => options.idle.osLocked?.() === true } : {}),
      lockAfterMinutes: () => options.settings().idleLockMinutes,
      timers,
      onWarn: (secondsLeft) => options.warn(secondsLeft),
      onWarnCleared: () => options.warnCleared(),
      onLock: (reason) => void options.lock(reason).catch(onError),
      onError,
    });
  }

  /** A profile was unlocked (or enrolled: pass enrolled = true). */
  unlocked(session: AuditedSession, enrolled = false): void {
    if (enrolled) this.audit.enrolled(session);
    else this.audit.unlocked(session);
    this.notifier.unlock();
    this.#o.idle.activity?.();
    this.idle.start();
  }

  /**
   * The open profile is about to lock, for whatever reason: call before session.lock(), while
   * its store still takes the audit row. Never throws.
   */
  async beforeLock(session: AuditedSession, reason: LockReason | 'switch'): Promise<void> {
    this.idle.stop();
    this.urgent.lock();
    this.notifier.lock();
    await this.clipboard.clearNow().catch(this.#o.onError ?? ((e: unknown) => console.error('clipboard:', e)));
    await this.audit.locking(session, reason);
  }

  /** OS events and the hide shortcut: lock now if a profile is open. */
  lockNow(reason: LockReason): boolean {
    return this.idle.lockNow(reason);
  }
}
