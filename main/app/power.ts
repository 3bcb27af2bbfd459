import type { LockReason } from '../../protocol/models';

/** The part of Electron's powerMonitor used here; tests pass a fake EventEmitter. */
export interface PowerMonitorLike {
  on(event: PowerLockEvent, listener: () => void): unknown;
  removeListener(event: PowerLockEvent, listener: () => void): unknown;
  getSystemIdleTime(): number;
  getSystemIdleState(idleThreshold: number): 'active' | 'idle' | 'locked' | 'unknown';
}

export type PowerLockEvent = 'lock-screen' | 'suspend' | 'user-did-resign-active';

/**
 * OS events after which nobody should find Wardline open: the screen locked (Win+L, also what
 * Windows does on fast user switching), the machine going to sleep, and on macOS another user's
 * session becoming active.
 */
export const LOCK_EVENTS: Readonly<Record<PowerLockEvent, LockReason>> = {
  'lock-screen': 'os-lock',
  suspend: 'suspend',
  'user-did-resign-active': 'user-switch',
};

/** Forwards the OS lock events to the idle-lock controller; returns the unsubscribe. */
export function watchPowerEvents(powerMonitor: PowerMonitorLike, controller: { lockNow(reason: LockReason): unknown }): () => void {
  const subscriptions = (Object.keys(LOCK_EVENTS) as PowerLockEvent[]).map((event) => {
    const listener = () => void controller.lockNow(LOCK_EVENTS[event]);
    powerMonitor.on(event, listener);
    return () => void powerMonitor.removeListener(event, listener);
  });
  return () => subscriptions.forEach((off) => off());
}

/** The idle source and the locked-session backstop for IdleLockController, from powerMonitor. */
export function powerIdleSource(powerMonitor: PowerMonitorLike): { idleSeconds(): number; osLocked(): boolean } {
  return {
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    osLocked: () => powerMonitor.getSystemIdleState(1) === 'locked',
  };
}
