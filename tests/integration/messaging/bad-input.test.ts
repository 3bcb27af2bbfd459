import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../protocol/relay';
import type { RelayPush } from '../../../protocol/relay';
import { enrolledDevice } from '../relay/support/device';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';

type Delivered = RelayPush<'envelope.deliver'>['envelopes'][number];

/**
 * Hostile or broken input reaching a workstation: garbage from a certified but malicious device,
 * a message for a session that does not exist, and a replay of a real message under a new
 * envelope id (what a hostile relay could do). Each is logged without content, dropped and
 * acknowledged (it can never succeed), and nothing else is affected.
 */
let relay: RelayProcess;
let alice: Workstation;
let bob: Workstation;
let aliceCode: IssuedCode;
const dirs: { remove(): void }[] = [];

beforeAll(async () => {
  relay = await startRelay();
  aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  const a = tempDir('bad-alice');
  const b = tempDir('bad-bob');
  dirs.push(a, b);
  alice = new Workstation(a.dir);
  bob = new Workstation(b.dir);
  await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });
  await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
  for (const w of [alice, bob]) await w.engine.relay.whenAuthenticated();
}, 120_000);

afterAll(async () => {
  await alice?.close().catch(() => undefined);
  await bob?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

const dropped = (w: Workstation) => w.log.filter((l) => l.event === 'receive.dropped').map((l) => l.fields?.reason);

describe('bad input', () => {
  it('drops garbage, sessionless and replayed envelopes with a log line and no content, and still receives the next real message', async () => {
    const captured: Delivered[] = [];
    alice.engine.relay.onPush('envelope.deliver', (p) => captured.push(...p.envelopes));

    const conversation = await bob.call('conversations.start', { userId: aliceCode.userId });
    await bob.call('messages.send', { conversationId: conversation.id, text: 'Potassium 3.1, repeat at six' });
    const atAlice = async () => {
      const c = (await alice.call('conversations.list', {}))[0];
      return c ? (await alice.call('messages.page', { conversationId: c.id })).messages.filter((m) => m.kind !== 'safety') : [];
    };
    await eventually('first message', async () => (await atAlice()).length === 1);

    // A certified but hostile device sends garbage and a sessionless ratchet message.
    const malloryCode = await addUser(relay.dataDir, 'mallory', 'Mallory');
    const mallory = await enrolledDevice(relay.url, malloryCode.code);
    const wire = await mallory.online();
    const aliceDevice = alice.core.runtime.requireOpen().account.deviceId;
    const garbage = encodeBase64(new TextEncoder().encode('not a Wardline message at all'));
    const sessionless = encodeBase64(Uint8Array.from([1, 2, ...new Uint8Array(120).fill(7)]));
    const sent = await wire.request('envelope.send', {
      envelopes: [
        { to: aliceDevice, senderMessageId: 'garbage-1', payload: garbage },
        { to: aliceDevice, senderMessageId: 'sessionless-1', payload: sessionless },
      ],
    });
    expect(sent.ok).toBe(true);
    await eventually('two dropped', () => dropped(alice).length >= 2);

    // A hostile relay replays Bob's real envelope under a new id: the ratchet refuses it.
    const original = captured.find((e) => e.senderUserId === bob.core.runtime.requireOpen().account.userId)!;
    await (alice.engine as unknown as { receiver: { enqueue(e: Delivered[]): Promise<void> } }).receiver.enqueue([
      { ...original, id: original.id + 100_000, senderMessageId: `${original.senderMessageId}-again` },
    ]);
    expect(dropped(alice)).toHaveLength(3);
    expect(dropped(alice)[2]).toBe('duplicate');

    // Nothing else changed, and the next real message arrives normally.
    expect((await atAlice()).map((m) => m.text)).toEqual(['Potassium 3.1, repeat at six']);
    await bob.call('messages.send', { conversationId: conversation.id, text: 'Bloods sent' });
    await eventually('second message', async () => (await atAlice()).length === 2);
    expect((await atAlice()).map((m) => m.text)).toEqual(['Bloods sent', 'Potassium 3.1, repeat at six']);

    // Logged without content: no decrypted text and no payload in any log line.
    const logText = JSON.stringify(alice.log);
    expect(logText).not.toContain('Potassium');
    expect(logText).not.toContain(garbage);

    // Acknowledged: after a lock and unlock (a fresh connection) the relay delivers none of them again.
    const before = dropped(alice).length;
    const profileId = alice.core.runtime.requireOpen().session.profileId;
    await alice.close();
    await alice.call('profiles.unlock', { profileId, pin: '482916' });
    await eventually('reconnected', () => alice.engine.relay.state === 'authenticated');
    await new Promise((r) => setTimeout(r, 1500));
    expect(dropped(alice).length).toBe(before);
    expect((await atAlice()).length).toBe(2);
  }, 120_000);
});
