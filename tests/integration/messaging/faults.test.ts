import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { addUser, startRelay, tempDataDir } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';
import { ColleagueProcess } from './colleague-process';
import { eventually, tempDir, Workstation } from './support';

/**
 * Nothing acknowledged is lost, nothing is duplicated: 2,000 messages from a colleague in another
 * process while the relay is killed with SIGKILL and restarted twice and the sender itself is
 * killed mid-send and restarted.
 */
const COUNT = 2000;
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('faults', () => {
  it('delivers 2,000 messages exactly once and in order through two relay crashes and a sender crash', async () => {
    const port = await freePort();
    const relayData = tempDataDir();
    let relay: RelayProcess = await startRelay({ dataDir: relayData, args: ['--port', String(port)] });
    cleanups.push(() => relay.kill());
    const aliceCode = await addUser(relayData, 'aokafor', 'Dr Alice Okafor');
    const bobCode = await addUser(relayData, 'bsingh', 'Nurse Bob Singh');

    const aliceDir = tempDir('fault-alice');
    cleanups.push(() => aliceDir.remove());
    const alice = new Workstation(aliceDir.dir);
    cleanups.push(() => alice.close());
    await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });

    const bobDir = tempDir('fault-bob');
    cleanups.push(() => bobDir.remove());
    const bobArgs = ['--data', bobDir.dir, '--pin', '907311', '--relay', relay.url, '--code', bobCode.code, '--send-to', aliceCode.userId, '--count', String(COUNT), '--prefix', 'obs '];
    let bob = new ColleagueProcess(bobArgs);
    cleanups.push(() => bob.kill());

    const received = () => {
      const c = alice.store.conversations.list()[0];
      return c ? alice.store.messages.count(c.id) : 0;
    };
    const restartRelay = async () => {
      await relay.kill('SIGKILL');
      relay = await startRelay({ dataDir: relayData, args: ['--port', String(port)] });
    };

    await bob.waitFor((l) => l.event === 'sent' && Number(l.n) >= 301, 120_000);
    await restartRelay();
    await eventually('600 at Alice', () => received() >= 600, 120_000);
    await bob.kill('SIGKILL');
    bob = new ColleagueProcess(bobArgs);
    await bob.waitFor((l) => l.event === 'ready' && l.resumed === true, 60_000);
    await eventually('1200 at Alice', () => received() >= 1200, 120_000);
    await restartRelay();
    await eventually('all at Alice', () => received() >= COUNT, 240_000);
    await bob.waitFor((l) => l.event === 'all-committed', 60_000);

    // Exactly once and in Bob's order: the conversation read oldest first is obs 0 .. obs 1999.
    const conversation = alice.store.conversations.list()[0]!;
    const texts: string[] = [];
    let cursor: string | null = null;
    do {
      const page = alice.store.messages.page(conversation.id, { before: cursor, limit: 200 });
      texts.push(...page.items.map((m) => m.body));
      cursor = page.nextCursor;
    } while (cursor);
    texts.reverse();
    expect(texts.length).toBe(COUNT);
    expect(texts).toEqual(Array.from({ length: COUNT }, (_, i) => `obs ${i}`));

    // Every status ends final at the sender: delivered (Alice's workstation stored it), outbox empty.
    const final = await bob.waitFor((l) => l.event === 'statuses' && (l.outbox as number) === 0 && JSON.stringify(l.newest200) === '{"delivered":200}', 120_000);
    expect(final.outbox).toBe(0);
    await bob.kill('SIGTERM');
    const bobAgain = new Workstation(bobDir.dir);
    const profile = (await bobAgain.call('profiles.list', {}))[0]!;
    await bobAgain.call('profiles.unlock', { profileId: profile.id, pin: '907311' });
    const statuses = new Map<string, number>();
    const bobConversation = bobAgain.store.conversations.list()[0]!;
    let c2: string | null = null;
    do {
      const page = bobAgain.store.messages.page(bobConversation.id, { before: c2, limit: 200 });
      for (const m of page.items) statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1);
      c2 = page.nextCursor;
    } while (c2);
    await bobAgain.close();
    expect(Object.fromEntries(statuses)).toEqual({ delivered: COUNT });
  }, 600_000);
});

describe('receiver crash', () => {
  it('loses and duplicates nothing when the receiving workstation is killed mid-burst and restarted', async () => {
    const RECEIVED = 600;
    const relay = await startRelay();
    cleanups.push(() => relay.kill());
    const aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
    const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');

    const bobDir = tempDir('crash-bob');
    cleanups.push(() => bobDir.remove());
    const bobArgs = ['--data', bobDir.dir, '--pin', '907311', '--relay', relay.url, '--code', bobCode.code];
    let bob = new ColleagueProcess(bobArgs);
    cleanups.push(() => bob.kill());
    const ready = await bob.waitFor((l) => l.event === 'ready');

    const aliceDir = tempDir('crash-alice');
    cleanups.push(() => aliceDir.remove());
    const alice = new Workstation(aliceDir.dir);
    cleanups.push(() => alice.close());
    await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });
    await alice.engine.relay.whenAuthenticated();
    const conversation = await alice.call('conversations.start', { userId: String(ready.userId) });
    for (let i = 0; i < RECEIVED; i++) await alice.call('messages.send', { conversationId: conversation.id, text: `result ${i}` });

    // Kill Bob while the burst is arriving, then start him again on the same profile.
    await bob.waitFor((l) => l.event === 'received' && /result (1[5-9]\d|[2-9]\d\d)/.test(String(l.text)), 120_000);
    await bob.kill('SIGKILL');
    bob = new ColleagueProcess(bobArgs);
    await bob.waitFor((l) => l.event === 'ready' && l.resumed === true);
    const statusAtAlice = () => alice.store.messages.page(conversation.id, { limit: 200 }).items.every((m) => m.status === 'delivered');
    await eventually('all delivered', () => statusAtAlice() && alice.store.outbox.count() === 0, 240_000);
    await bob.kill('SIGTERM');

    const bobAgain = new Workstation(bobDir.dir);
    const profile = (await bobAgain.call('profiles.list', {}))[0]!;
    await bobAgain.call('profiles.unlock', { profileId: profile.id, pin: '907311' });
    const c = bobAgain.store.conversations.list()[0]!;
    const texts: string[] = [];
    let cursor: string | null = null;
    do {
      const page = bobAgain.store.messages.page(c.id, { before: cursor, limit: 200 });
      texts.push(...page.items.map((m) => m.body));
      cursor = page.nextCursor;
    } while (cursor);
    await bobAgain.close();
    expect(texts.reverse()).toEqual(Array.from({ length: RECEIVED }, (_, i) => `result ${i}`));
  }, 600_000);
});
