import { describe, expect, it } from 'vitest';
import { Notifier, notificationText } from '../../../main/core/workstation';
import type { NotificationText } from '../../../main/core/workstation';
import type { NotificationLevel } from '../../../protocol/models';
import { FakeTimers } from './fake-timers';

/** A group message that @mentions the clinician: it notifies at every level, names the sender only where allowed. */
const MENTION = { senderName: 'Dr Alice Example', text: '@Nurse Bob please check bed 4 potassium', mention: true };
const GROUP = { senderName: 'Dr Carol Example', text: 'Handover at 8 in the side room' };

function notifier(level: NotificationLevel) {
  const timers = new FakeTimers();
  const shown: NotificationText[] = [];
  const n = new Notifier({ show: (text) => void shown.push(text), level: () => level, timers, coalesceMs: 5_000 });
  n.unlock();
  return { n, shown, timers };
}

describe('a mention in a notification', () => {
  it('says nothing of who or what at the default level', () => {
    expect(notificationText('none', MENTION)).toEqual({ title: 'Wardline', body: 'New message in Wardline' });
  });

  it('says who mentioned you, never the text, when policy allows sender names', () => {
    expect(notificationText('sender', MENTION)).toEqual({ title: 'Wardline', body: 'Dr Alice Example mentioned you' });
  });

  it('says who mentioned you and the text when policy allows full content', () => {
    expect(notificationText('full', MENTION)).toEqual({ title: 'Dr Alice Example mentioned you', body: MENTION.text });
  });

  it('keeps the generic text when the sender has no usable name', () => {
    expect(notificationText('sender', { ...MENTION, senderName: '\u202e\n' })).toEqual({ title: 'Wardline', body: 'New message in Wardline' });
  });
});

describe('Notifier with group messages', () => {
  it('notifies a group message like a direct one: the first at once, the rest of a burst summarised', () => {
    const { n, shown, timers } = notifier('sender');
    n.message(GROUP);
    n.message(GROUP);
    expect(shown.map((s) => s.body)).toEqual(['New message from Dr Carol Example']);
    timers.advance(5_000);
    expect(shown.map((s) => s.body)).toEqual(['New message from Dr Carol Example', 'New message from Dr Carol Example']);
  });

  it('shows a mention at once even inside a burst, and keeps it out of the summary', () => {
    const { n, shown, timers } = notifier('sender');
    n.message(GROUP);
    n.message(GROUP);
    n.message(MENTION);
    n.message(GROUP);
    expect(shown.map((s) => s.body)).toEqual(['New message from Dr Carol Example', 'Dr Alice Example mentioned you']);
    timers.advance(5_000);
    expect(shown.map((s) => s.body).at(-1)).toBe('2 new messages from Dr Carol Example');
  });

  it('shows nothing for a mention while the profile is locked', () => {
    const { n, shown } = notifier('full');
    n.lock();
    n.message(MENTION);
    expect(shown).toEqual([]);
  });
});
