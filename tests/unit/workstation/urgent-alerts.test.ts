import { describe, expect, it } from 'vitest';
import type { NotificationLevel } from '../../../protocol/models';
import { Notifier, UrgentAlerts } from '../../../main/core/workstation';
import type { NotificationText } from '../../../main/core/workstation';
import { FakeTimers } from './fake-timers';

function setup(level: NotificationLevel = 'none') {
  const timers = new FakeTimers();
  const shown: { at: number; text: NotificationText }[] = [];
  const notifier = new Notifier({ show: (text) => void shown.push({ at: timers.now() - start, text }), level: () => level, timers });
  const start = timers.now();
  return { timers, shown, notifier, alerts: new UrgentAlerts({ notifier, timers }) };
}

const MIN = 60_000;

describe('urgent alerts', () => {
  it('alerts at 0, 2 and 4 minutes without the message, and stops once acknowledged', () => {
    const { timers, shown, notifier, alerts } = setup('none');
    notifier.unlock();
    alerts.raise('m1', 'Nurse Bob Singh');
    timers.advance(4 * MIN + 30_000);
    expect(shown.map((s) => s.at)).toEqual([0, 2 * MIN, 4 * MIN]);
    expect(shown[0]!.text).toEqual({ title: 'Wardline', body: 'Urgent message in Wardline: open Wardline to acknowledge' });
    alerts.acknowledged('m1');
    timers.advance(30 * MIN);
    expect(shown).toHaveLength(3);
    expect(timers.pending).toBe(0);
  });

  it('names the sender only where the privacy level allows it, and never shows the text even at full', () => {
    const { shown, notifier, alerts } = setup('full');
    notifier.unlock();
    alerts.raise('m1', 'Nurse Bob Singh');
    expect(shown[0]!.text.body).toBe('Urgent message from Nurse Bob Singh: open Wardline to acknowledge');
  });

  it('shows nothing while locked, and locking stops a running alert', () => {
    const { timers, shown, notifier, alerts } = setup();
    alerts.raise('m1', 'Bob');
    timers.advance(10 * MIN);
    expect(shown).toEqual([]);
    notifier.unlock();
    alerts.raise('m1', 'Bob');
    alerts.raise('m1', 'Bob');
    expect(shown).toHaveLength(1);
    notifier.lock();
    alerts.lock();
    timers.advance(10 * MIN);
    expect(shown).toHaveLength(1);
    expect(alerts.active).toEqual([]);
  });

});
