import type { Notifier } from './notifications';
import type { Timers } from './timers';

export const URGENT_REPEAT_MS = 2 * 60_000;

export interface UrgentAlertsOptions {
  notifier: Pick<Notifier, 'urgent' | 'locked'>;
  timers: Timers;
}

/**
 * The recipient's side of an urgent message: an alert at once and again every two minutes until
 * it is acknowledged (here or on another of the clinician's workstations). Through the notifier,
 * so the privacy level applies and nothing shows while locked; lock() drops every alert, and the
 * core raises the unacknowledged ones again at the next unlock.
 */
export class UrgentAlerts {
  readonly #o: UrgentAlertsOptions;
  readonly #active = new Map<string, unknown>();

  constructor(options: UrgentAlertsOptions) {
    this.#o = options;
  }

  /** Message ids alerting now. */
  get active(): string[] {
    return [...this.#active.keys()];
  }

  raise(messageId: string, senderName: string): void {
    if (this.#o.notifier.locked || this.#active.has(messageId)) return;
    const alert = () => {
      this.#o.notifier.urgent({ senderName });
      this.#active.set(messageId, this.#o.timers.setTimeout(alert, URGENT_REPEAT_MS));
    };
    alert();
  }

  acknowledged(messageId: string): void {
    const timer = this.#active.get(messageId);
    if (timer === undefined) return;
    this.#o.timers.clearTimeout(timer);
    this.#active.delete(messageId);
  }

  lock(): void {
    for (const timer of this.#active.values()) this.#o.timers.clearTimeout(timer);
    this.#active.clear();
  }
}
