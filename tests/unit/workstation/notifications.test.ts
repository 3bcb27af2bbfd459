import { describe, expect, it } from 'vitest';
import { burstText, Notifier, notificationText } from '../../../main/core/workstation';
import type { NotificationText } from '../../../main/core/workstation';
import type { NotificationLevel } from '../../../protocol/models';
import { FakeTimers } from './fake-timers';

const MSG = { senderName: 'Dr Alice Example', text: 'Mrs Jones in bed 4: potassium 6.1, please review' };

describe('notificationText', () => {
  it('says only "New message in Wardline" by default', () => {
    expect(notificationText('none', MSG)).toEqual({ title: 'Wardline', body: 'New message in Wardline' });
  });

  it('names the sender, and nothing of the message, when policy allows senders', () => {
    expect(notificationText('sender', MSG)).toEqual({ title: 'Wardline', body: 'New message from Dr Alice Example' });
  });

  it('shows sender and text, cut short, when policy allows full content', () => {
    const long = { senderName: 'Dr Alice Example', text: `${'handover '.repeat(30)}end` };
    const { title, body } = notificationText('full', long);
    expect(title).toBe('Dr Alice Example');
    expect([...new Intl.Segmenter().segment(body)]).toHaveLength(120);
    expect(body.endsWith('…')).toBe(true);
    expect(notificationText('full', MSG).body).toBe(MSG.text);
  });

  it('falls back to the generic text for an unknown level', () => {
    expect(notificationText('everything' as NotificationLevel, MSG)).toEqual({ title: 'Wardline', body: 'New message in Wardline' });
  });

  it('keeps a name on one line and never splits an emoji or accented letter', () => {
    expect(notificationText('sender', { senderName: 'Eve\nPassword reset: call 555\u202e', text: '' }).body).toBe('New message from Eve Password reset: call 555');
    const emoji = notificationText('full', { senderName: 'Zoë', text: '👩🏽‍⚕️'.repeat(200) }).body;
    expect(emoji).toBe(`${'👩🏽‍⚕️'.repeat(119)}…`);
  });

  it('summarises a burst without any message text', () => {
    const three = [{ senderName: 'Ann' }, { senderName: 'Ben' }, { senderName: 'Ann' }];
    expect(burstText('none', three).body).toBe('3 new messages in Wardline');
    expect(burstText('sender', three).body).toBe('3 new messages from Ann and Ben');
    expect(burstText('full', [...three, { senderName: 'Cat' }, { senderName: 'Dan' }]).body).toBe('5 new messages from Ann, Ben and 2 others');
  });
});

function notifier(level: NotificationLevel = 'none') {
  const timers = new FakeTimers();
  const shown: (NotificationText & { closed: boolean })[] = [];
  const n = new Notifier({
    show: (text) => {
      const entry = { ...text, closed: false };
      shown.push(entry);
      return { close: () => void (entry.closed = true) };
    },
    level: () => level,
    timers,
    coalesceMs: 5_000,
  });
  return { n, shown, timers };
}

describe('Notifier', () => {
  it('says nothing until a profile is unlocked, and nothing after it locks', () => {
    const { n, shown, timers } = notifier();
    n.message(MSG);
    expect(shown).toEqual([]);
    n.unlock();
    n.lock();
    n.message(MSG);
    timers.advance(60_000);
    expect(shown).toEqual([]);
  });

  it('shows the first message of a burst at once and gathers the rest into one', () => {
    const { n, shown, timers } = notifier('sender');
    n.unlock();
    n.message(MSG);
    expect(shown.map((s) => s.body)).toEqual(['New message from Dr Alice Example']);
    for (let i = 0; i < 5; i++) n.message({ senderName: i % 2 ? 'Ben' : 'Ann', text: 'x' });
    timers.advance(4_999);
    expect(shown).toHaveLength(1);
    timers.advance(1);
    expect(shown.map((s) => s.body)).toEqual(['New message from Dr Alice Example', '5 new messages from Ann and Ben']);
    timers.advance(5_000);
    n.message(MSG);
    expect(shown).toHaveLength(3);
  });

  it('drops what was waiting and takes shown notifications back when the profile locks', () => {
    const { n, shown, timers } = notifier('full');
    n.unlock();
    n.message(MSG);
    n.message(MSG);
    n.lock();
    timers.advance(10_000);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.closed).toBe(true);
    expect(timers.pending).toBe(0);
  });
});
