import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyTimer, describeDuration, timerCap } from '../../../main/core/messaging/disappearing';
import { RetentionSweeper, SWEEP_EVERY_MS } from '../../../main/core/messaging/retention';
import { openStore } from '../../../main/core/store';
import type { Store } from '../../../main/core/store';
import { incoming, newKey, tempDir } from '../store/helpers';
import { FakeTimers } from '../workstation/fake-timers';

const MIN = 60_000;
const me = { userId: 'me', deviceId: 'd1' };
let store: Store | undefined;
afterEach(() => store?.close());

function setUp(now: number): { store: Store; timers: FakeTimers; rng: (n: number) => Uint8Array } {
  store = openStore(`${tempDir()}/store.db`, newKey(), { create: true });
  store.conversations.create({ id: 'direct:bob', kind: 'direct', title: 'Bob', now, members: ['bob'] });
  store.conversations.create({ id: 'direct:carol', kind: 'direct', title: 'Carol', now, members: ['carol'] });
  const timers = new FakeTimers(now);
  return { store, timers, rng: (n) => crypto.getRandomValues(new Uint8Array(n)) };
}

describe('disappearing-message timers', () => {
  it('keep the newest setting whatever order they arrive in, on every device alike', () => {
    const settings = [
      { seconds: 3600, at: 1000, by: 'bob', byName: 'Bob' },
      { seconds: 300, at: 2000, by: 'alice', byName: 'Alice' },
      { seconds: 86400, at: 2000, by: 'bob', byName: 'Bob' }, // same time: the larger setter id wins
      { seconds: 0, at: 1500, by: 'me', byName: 'Me' },
    ];
    const outcomes = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]].map((order) => {
      const { store, rng } = setUp(0);
      for (const i of order) applyTimer({ store, rng, now: () => 5000, me }, 'direct:bob', settings[i]!, timerCap(0));
      const t = store.conversations.timer('direct:bob');
      store.close();
      return t;
    });
    expect(outcomes).toEqual([0, 1, 2].map(() => ({ seconds: 86400, setAt: 2000, setBy: 'bob' })));
  });

  it('cut a received timer to the policy\'s retention and describe it in the conversation', () => {
    const { store, rng } = setUp(0);
    expect(timerCap(1)).toBe(86400);
    applyTimer({ store, rng, now: () => 10, me }, 'direct:bob', { seconds: 7 * 86400, at: 5, by: 'bob', byName: 'Bob' }, timerCap(1));
    expect(store.conversations.get('direct:bob')?.disappearSeconds).toBe(86400);
    expect(store.messages.page('direct:bob').items.map((m) => m.body)).toEqual([
      'Bob set disappearing messages to 1 day. New messages in this conversation are deleted from every member\'s workstations that long after they arrive.',
    ]);
    expect(describeDuration(8 * 3600)).toBe('8 hours');
  });

  it('delete messages when their time is up, only in that conversation and only since the timer was set', async () => {
    const start = 1_000_000;
    const { store, timers, rng } = setUp(start);
    store.messages.insert(incoming('direct:bob', { id: 'before', body: 'sent before the timer', sentAt: start, receivedAt: start }));
    applyTimer({ store, rng, now: () => start + MIN, me }, 'direct:bob', { seconds: 300, at: start + MIN, by: 'me', byName: 'Me' }, timerCap(0));
    store.messages.insert(incoming('direct:bob', { id: 'after', body: 'bed 4 potassium', sentAt: start + 2 * MIN, receivedAt: start + 2 * MIN }));
    store.messages.insert(incoming('direct:carol', { id: 'other', body: 'no timer here', sentAt: start + 2 * MIN, receivedAt: start + 2 * MIN }));
    timers.advance(2 * MIN);
    const sweeper = new RetentionSweeper({ store, retentionDays: () => 0, timers });
    sweeper.start();
    expect(store.messages.get('after')).not.toBeNull();
    // The next sweep is planned for when the first message is due (the timer's own notice, set
    // at +1 min, at +6 min; then 'after' at +7 min), not in an hour.
    expect(timers.nextDue()).toBe(start + 6 * MIN);
    timers.advance(4 * MIN);
    // The notice went at +6 min; once that sweep has merged the search index, the next is planned for 'after'.
    await vi.waitFor(() => expect(timers.nextDue()).toBe(start + 7 * MIN));
    expect(store.messages.get('after')).not.toBeNull();
    timers.advance(MIN);
    expect(store.messages.get('after')).toBeNull();
    expect(store.search.messages('potassium').length).toBe(0);
    expect(store.messages.get('before')).not.toBeNull();
    expect(store.messages.get('other')).not.toBeNull();
    await vi.waitFor(() => expect(timers.nextDue()).toBe(start + 7 * MIN + SWEEP_EVERY_MS));
    sweeper.stop();
  });
});
