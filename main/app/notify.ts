import type { NotificationText, ShownNotification } from '../core/workstation';

/** The part of Electron's Notification class used here; tests pass a fake class. */
export interface NotificationClassLike {
  new (options: { title: string; body: string; silent?: boolean; timeoutType?: 'default' | 'never' }): {
    show(): void;
    close(): void;
    on(event: 'click', listener: () => void): unknown;
  };
  isSupported(): boolean;
}

/**
 * The `show` function for core's Notifier: one Electron Notification per call, with exactly the
 * text the Notifier decided on (notificationText: nothing private unless policy allows it).
 * Whether to notify at all (locked profile, bursts) is the Notifier's decision, not this file's.
 * A click brings the window forward.
 */
export function electronNotificationSink(Notification: NotificationClassLike, onClick: () => void): (text: NotificationText) => ShownNotification | void {
  return (text) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: text.title, body: text.body, silent: false, timeoutType: 'default' });
    notification.on('click', onClick);
    notification.show();
    return { close: () => notification.close() };
  };
}
