import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, cli, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { enrolAll, conversationWith, eventually, tempDir, Workstation } from './support';

/**
 * Three workstations against the real relay process: Dr Alice Okafor enrolled on two (ward and
 * office), Nurse Bob Singh on one. Everything goes through the API the renderer calls.
 */
let relay: RelayProcess;
const dirs: { remove(): void }[] = [];
let aliceWard: Workstation;
let aliceOffice: Workstation;
let bob: Workstation;
let alice: IssuedCode;

function workstation(name: string): Workstation {
  const t = tempDir(name);
  dirs.push(t);
  return new Workstation(t.dir);
}

beforeAll(async () => {
  relay = await startRelay();
  alice = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const aliceSecond = await cli<IssuedCode>(relay.dataDir, 'user', 'code', 'aokafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  aliceWard = workstation('alice-ward');
  aliceOffice = workstation('alice-office');
  bob = workstation('bob');
  await enrolAll(relay.url, [[aliceWard, alice.code, '482916'], [aliceOffice, aliceSecond.code, '551203'], [bob, bobCode.code, '907311']]);
}, 120_000);

afterAll(async () => {
  for (const w of [aliceWard, aliceOffice, bob]) await w?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

async function texts(w: Workstation, conversationId: string) {
  const page = await w.call('messages.page', { conversationId, limit: 200 });
  return page.messages.filter((m) => m.kind !== 'safety').map((m) => `${m.fromMe ? 'me' : m.senderName}: ${m.text}`).reverse();
}

describe('messaging end to end', () => {
  it('finds a colleague in the directory and chats both ways; both of Alice\'s workstations show the whole conversation', async () => {
    const found = await bob.call('directory.search', { query: 'okafor' });
    expect(found.map((u) => u.displayName)).toEqual(['Dr Alice Okafor']);
    const conversation = await bob.call('conversations.start', { userId: alice.userId });
    expect(conversation.title).toBe('Dr Alice Okafor');

    const sent = await bob.call('messages.send', { conversationId: conversation.id, text: 'Bed 4 needs a review before noon' });
    expect(sent.status).toBe('pending');

    const atWard = await conversationWith(aliceWard, bob.core.runtime.requireOpen().account.userId);
    const atOffice = await conversationWith(aliceOffice, bob.core.runtime.requireOpen().account.userId);
    expect(atWard.title).toBe('Nurse Bob Singh');
    await eventually('ward copy', async () => (await texts(aliceWard, atWard.id)).length === 1);
    await eventually('office copy', async () => (await texts(aliceOffice, atOffice.id)).length === 1);
    expect(await texts(aliceWard, atWard.id)).toEqual(['Nurse Bob Singh: Bed 4 needs a review before noon']);

    await aliceWard.call('messages.send', { conversationId: atWard.id, text: 'On my way after the ward round' });
    await eventually('reply at Bob', async () => (await texts(bob, conversation.id)).length === 2);
    // The office workstation shows Alice's reply from the ward as her own message.
    await eventually('transcript at office', async () => (await texts(aliceOffice, atOffice.id)).length === 2);
    const expected = ['Nurse Bob Singh: Bed 4 needs a review before noon', 'me: On my way after the ward round'];
    expect(await texts(aliceWard, atWard.id)).toEqual(expected);
    expect(await texts(aliceOffice, atOffice.id)).toEqual(expected);
    expect(await texts(bob, conversation.id)).toEqual(['me: Bed 4 needs a review before noon', 'Dr Alice Okafor: On my way after the ward round']);
  });

  it('moves the sender\'s status to sent, delivered and read through encrypted receipts', async () => {
    const conversation = await conversationWith(bob, alice.userId);
    const message = await bob.call('messages.send', { conversationId: conversation.id, text: 'Obs are stable' });
    const statusAtBob = async () => (await bob.call('messages.page', { conversationId: conversation.id })).messages.find((m) => m.id === message.id)?.status;
    await eventually('delivered', async () => (await statusAtBob()) === 'delivered');
    const atWard = await conversationWith(aliceWard, bob.core.runtime.requireOpen().account.userId);
    expect((await aliceWard.call('conversations.list', {})).find((c) => c.id === atWard.id)?.unread).toBeGreaterThan(0);
    await aliceWard.call('messages.markRead', { conversationId: atWard.id });
    await eventually('read', async () => (await statusAtBob()) === 'read');
    // Reading on the ward clears the unread badge in the office too.
    await eventually('read-sync', async () => (await aliceOffice.call('conversations.list', {})).find((c) => c.peerUserId === bob.core.runtime.requireOpen().account.userId)?.unread === 0);
  });

  it('sends a 25 MiB attachment end to end, verified and decrypted into the receiver\'s encrypted store', async () => {
    const conversation = await conversationWith(bob, alice.userId);
    const data = randomBytes(25 * 1024 * 1024);
    const progress: number[] = [];
    const off = bob.core.events.on('attachments.progress', (p) => p.direction === 'upload' && progress.push(p.loaded));
    const thumbnail = randomBytes(3000).toString('base64');
    const sent = await bob.call('attachments.send', { conversationId: conversation.id, name: 'wound-photo.jpg', mimeType: 'image/jpeg', data: data.toString('base64'), thumbnail });
    expect(sent.attachment?.state).toBe('uploading');
    const atWard = await conversationWith(aliceWard, bob.core.runtime.requireOpen().account.userId);
    const received = await eventually('attachment at Alice', async () =>
      (await aliceWard.call('messages.page', { conversationId: atWard.id })).messages.find((m) => m.attachment?.name === 'wound-photo.jpg' && m.attachment.state === 'ready'),
    60_000);
    // The sender's preview travels inside the encrypted message.
    expect(received.attachment!.thumbnail).toBe(`data:image/jpeg;base64,${thumbnail}`);
    const opened = await aliceWard.call('attachments.open', { attachmentId: received.attachment!.id });
    expect(opened.mimeType).toBe('image/jpeg');
    expect(Buffer.from(opened.data, 'base64').equals(data)).toBe(true);
    off();
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBeGreaterThanOrEqual(data.length);
  }, 120_000);
});
