import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationText } from '../../../main/core/workstation';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';
import { TestClock } from './test-clock';

/**
 * Urgent messages through the real relay: Nurse Bob Singh (whose engine runs on a test clock)
 * sends to Dr Alice Okafor, whose workstation alerts until she acknowledges, and to Dr Carol
 * Reyes, whose only workstation is locked, so nothing arrives and Bob is told to phone.
 */
let relay: RelayProcess;
const dirs: { remove(): void }[] = [];
const clock = new TestClock();
const notifications: NotificationText[] = [];
let bob: Workstation;
let alice: Workstation;
let carol: Workstation;
let aliceCode: IssuedCode;
let carolCode: IssuedCode;

beforeAll(async () => {
  relay = await startRelay();
  aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  carolCode = await addUser(relay.dataDir, 'creyes', 'Dr Carol Reyes');
  const dir = (name: string) => {
    const t = tempDir(name);
    dirs.push(t);
    return t.dir;
  };
  bob = new Workstation(dir('bob'), { runtime: { now: clock.now, timers: clock } });
  alice = new Workstation(dir('alice'), { showNotification: (text) => void notifications.push(text) });
  carol = new Workstation(dir('carol'));
  await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
  await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });
  await carol.call('profiles.enrol', { relayUrl: relay.url, code: carolCode.code, pin: '551203' });
  for (const w of [bob, alice]) await eventually('relay authentication', () => w.engine.relay.state === 'authenticated');
  await carol.close();
}, 120_000);

afterAll(async () => {
  for (const w of [bob, alice]) await w?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

describe('urgent messages end to end', () => {
  it('alerts the recipient without content until she acknowledges; the sender sees who acknowledged and when', async () => {
    const atBob = await bob.call('conversations.start', { userId: aliceCode.userId });
    const sent = await bob.call('messages.send', { conversationId: atBob.id, text: 'Bed 7 sats 84% on 4 L, please review now', urgent: true });
    expect(sent.urgent).toBe(true);

    await eventually('urgent alert at Alice', () => notifications.some((n) => n.body.startsWith('Urgent message')));
    expect(notifications.some((n) => n.body.includes('sats'))).toBe(false);
    const bobId = bob.core.runtime.requireOpen().account.userId;
    const conversation = await eventually('conversation at Alice', async () => (await alice.call('conversations.list', {})).find((c) => c.peerUserId === bobId));
    const received = (await alice.call('messages.page', { conversationId: conversation.id })).messages.find((m) => m.text.startsWith('Bed 7'))!;
    expect(received).toMatchObject({ urgent: true, acknowledgedAt: null });
    expect(alice.core.workstation.urgent.active).toEqual([received.id]);

    const acked = await alice.call('messages.acknowledge', { messageId: received.id });
    expect(acked.acknowledgedAt).toEqual(expect.any(Number));
    expect(alice.core.workstation.urgent.active).toEqual([]);
    const atSender = await eventually('acknowledgement at Bob', async () =>
      (await bob.call('messages.page', { conversationId: atBob.id })).messages.find((m) => m.id === sent.id && m.acknowledgedAt !== null));
    expect(atSender).toMatchObject({ fromMe: true, urgent: true, status: 'delivered', acknowledgedAt: acked.acknowledgedAt });

    // Delivered in time: no escalation line, however long Bob waits.
    clock.advance(30 * 60_000);
    expect((await bob.call('messages.page', { conversationId: atBob.id })).messages.filter((m) => m.kind === 'safety' && m.text.startsWith('Not yet received'))).toEqual([]);
  }, 60_000);

  it('refuses to acknowledge a message that is not urgent', async () => {
    const conversation = await bob.call('conversations.start', { userId: aliceCode.userId });
    const plain = await bob.call('messages.send', { conversationId: conversation.id, text: 'Routine: obs due at 14:00' });
    expect(plain.urgent).toBe(false);
    const bobId = bob.core.runtime.requireOpen().account.userId;
    const atAlice = await eventually('plain message at Alice', async () => {
      const c = (await alice.call('conversations.list', {})).find((x) => x.peerUserId === bobId)!;
      return (await alice.call('messages.page', { conversationId: c.id })).messages.find((m) => m.text.startsWith('Routine'));
    });
    await expect(alice.call('messages.acknowledge', { messageId: atAlice.id })).rejects.toMatchObject({ code: 'invalid_input' });
  }, 60_000);

  it('tells the sender once, after the policy\'s 10 minutes, that no workstation of the recipient has it', async () => {
    const conversation = await bob.call('conversations.start', { userId: carolCode.userId });
    const sent = await bob.call('messages.send', { conversationId: conversation.id, text: 'Carol, theatre 2 needs you', urgent: true });
    await eventually('stored on the relay', async () => (await bob.call('messages.page', { conversationId: conversation.id })).messages.find((m) => m.id === sent.id)?.status === 'sent');
    const warnings = async () => (await bob.call('messages.page', { conversationId: conversation.id })).messages.filter((m) => m.kind === 'safety' && m.text.startsWith('Not yet received'));

    clock.advance(9 * 60_000);
    expect(await warnings()).toEqual([]);
    clock.advance(60_000 + 1000);
    expect((await warnings()).map((m) => m.text)).toEqual(['Not yet received by Dr Carol Reyes after 10 minutes — consider phoning.']);
    clock.advance(60 * 60_000);
    expect(await warnings()).toHaveLength(1);
  }, 60_000);
});
