import type { Notification } from 'electron';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { electronNotificationSink } from '../../../main/app/notify';
import type { NotificationClassLike } from '../../../main/app/notify';
import { Notifier } from '../../../main/core/workstation';
import { FakeTimers } from '../workstation/fake-timers';

const created: FakeNotification[] = [];
class FakeNotification {
  static supported = true;
  static isSupported = () => FakeNotification.supported;
  shown = false;
  closed = false;
  click: (() => void) | undefined;
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {
    created.push(this);
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
  }
  on(_event: 'click', listener: () => void) {
    this.click = listener;
  }
}

const MSG = { senderName: 'Dr Alice Example', text: 'Mrs Jones, bed 4: potassium 6.1' };

describe('Electron notifications', () => {
  it("matches Electron's Notification class", () => {
    expectTypeOf<typeof Notification>().toExtend<NotificationClassLike>();
  });

  it('shows "New message in Wardline" and nothing else by default; a click brings the window forward', () => {
    created.length = 0;
    const focus = vi.fn();
    const notifier = new Notifier({ show: electronNotificationSink(FakeNotification, focus), level: () => 'none', timers: new FakeTimers() });
    notifier.unlock();
    notifier.message(MSG);
    expect(created.map((n) => [n.options.title, n.options.body, n.shown])).toEqual([['Wardline', 'New message in Wardline', true]]);
    expect(JSON.stringify(created[0]!.options)).not.toMatch(/Alice|Jones|potassium/);
    created[0]!.click!();
    expect(focus).toHaveBeenCalledOnce();
  });

  it('shows nothing while locked and closes what it showed when the profile locks', () => {
    created.length = 0;
    const notifier = new Notifier({ show: electronNotificationSink(FakeNotification, () => undefined), level: () => 'full', timers: new FakeTimers() });
    notifier.message(MSG);
    expect(created).toEqual([]);
    notifier.unlock();
    notifier.message(MSG);
    expect(created[0]!.options).toMatchObject({ title: 'Dr Alice Example', body: MSG.text });
    notifier.lock();
    expect(created[0]!.closed).toBe(true);
  });

  it('does nothing where the OS has no notifications', () => {
    created.length = 0;
    FakeNotification.supported = false;
    try {
      expect(electronNotificationSink(FakeNotification, () => undefined)({ title: 'Wardline', body: 'x' })).toBeUndefined();
      expect(created).toEqual([]);
    } finally {
      FakeNotification.supported = true;
    }
  });
});
