import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, cli, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';

/**
 * A colleague's new workstation is never slipped in silently: it shows as a safety notice, and for
 * a colleague this clinician verified, copies to the new workstation wait until it is accepted.
 */
let relay: RelayProcess;
let alice: IssuedCode;
const open: Workstation[] = [];
const dirs: { remove(): void }[] = [];

function workstation(name: string): Workstation {
  const t = tempDir(name);
  dirs.push(t);
  const w = new Workstation(t.dir);
  open.push(w);
  return w;
}

beforeAll(async () => {
  relay = await startRelay();
  alice = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
}, 60_000);

afterAll(async () => {
  for (const w of open) await w.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

const visible = async (w: Workstation) => {
  const c = (await w.call('conversations.list', {}))[0];
  return c ? (await w.call('messages.page', { conversationId: c.id })).messages.reverse() : [];
};

describe('safety notices and verified contacts', () => {
  it('shows a new workstation of a verified colleague and holds messages for it until accepted', async () => {
    const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
    const ward = workstation('safety-alice-ward');
    const bob = workstation('safety-bob');
    await ward.call('profiles.enrol', { relayUrl: relay.url, code: alice.code, pin: '482916' });
    await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
    for (const w of [ward, bob]) await w.engine.relay.whenAuthenticated();

    const conversation = await bob.call('conversations.start', { userId: alice.userId });
    await bob.call('messages.send', { conversationId: conversation.id, text: 'Handover at 8' });
    await eventually('first message at the ward', async () => (await visible(ward)).length === 1);

    // Bob compares safety numbers with Alice in person and marks her verified.
    const before = await bob.call('contacts.get', { userId: alice.userId });
    const sameOnAliceSide = await ward.call('contacts.get', { userId: bob.core.runtime.requireOpen().account.userId });
    expect(sameOnAliceSide.safetyNumber).toBe(before.safetyNumber);
    expect((await bob.call('contacts.setVerified', { userId: alice.userId, verified: true })).verified).toBe(true);

    // Alice enrols a second workstation.
    const second = await cli<IssuedCode>(relay.dataDir, 'user', 'code', 'aokafor');
    const office = workstation('safety-alice-office');
    await office.call('profiles.enrol', { relayUrl: relay.url, code: second.code, pin: '551203' });
    await office.engine.relay.whenAuthenticated();

    // Bob's workstation learns of it: a safety notice, a new safety number, no longer verified.
    const after = await bob.call('contacts.get', { userId: alice.userId });
    expect(after.safetyNumber).not.toBe(before.safetyNumber);
    expect(after.verified).toBe(false);
    expect(after.devices.filter((d) => d.changed)).toHaveLength(1);
    const notices = (await visible(bob)).filter((m) => m.kind === 'safety');
    expect(notices.map((m) => m.text)).toEqual([expect.stringMatching(/Dr Alice Okafor signed in on a new workstation/)]);

    // A message now reaches the known workstation but waits for the new one.
    await bob.call('messages.send', { conversationId: conversation.id, text: 'Bed 12 is ready' });
    await eventually('second message at the ward', async () => (await visible(ward)).some((m) => m.text === 'Bed 12 is ready'));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await visible(office)).some((m) => m.text === 'Bed 12 is ready')).toBe(false);

    // Bob accepts the new safety number: the held copy goes out.
    expect((await bob.call('contacts.setVerified', { userId: alice.userId, verified: true })).verified).toBe(true);
    await eventually('held copy at the office', async () => (await visible(office)).some((m) => m.text === 'Bed 12 is ready'), 90_000);
  }, 180_000);
});
