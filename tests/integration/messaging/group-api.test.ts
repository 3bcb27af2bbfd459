import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyProvider, fileSource } from '../../../main/core/policy';
import type { NotificationText } from '../../../main/core/workstation';
import type { ConversationSummary } from '../../../protocol/models';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { enrolAll, eventually, failure, systemLines, tempDir, Workstation } from './support';

/**
 * Team groups through the API the renderer calls, with three real workstations on the real
 * relay: Dr Alice Okafor creates "Ward 7 night" with Nurse Bob Singh and Dr Carol Reyes. Bob's
 * organisation lets notifications name the sender, so his mention says who mentioned him.
 */
let relay: RelayProcess;
const dirs: { remove(): void }[] = [];
const bobNotifications: NotificationText[] = [];
let alice: Workstation;
let bob: Workstation;
let carol: Workstation;
let codes: { alice: IssuedCode; bob: IssuedCode; carol: IssuedCode };
let groupId = '';

const NAME = 'Ward 7 night';

function dir(name: string): string {
  const t = tempDir(name);
  dirs.push(t);
  return t.dir;
}

beforeAll(async () => {
  relay = await startRelay();
  codes = {
    alice: await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor'),
    bob: await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh'),
    carol: await addUser(relay.dataDir, 'creyes', 'Dr Carol Reyes'),
  };
  const bobDir = dir('bob');
  const policyFile = join(bobDir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ notificationContent: 'sender' }));
  alice = new Workstation(dir('alice'));
  bob = new Workstation(bobDir, {
    policy: createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: fileSource(policyFile, { trust: 'any' }) }),
    showNotification: (text) => void bobNotifications.push(text),
  });
  carol = new Workstation(dir('carol'));
  await enrolAll(relay.url, [[alice, codes.alice.code, '482916'], [bob, codes.bob.code, '907311'], [carol, codes.carol.code, '551203']]);
}, 120_000);

afterAll(async () => {
  for (const w of [alice, bob, carol]) await w?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

async function groupAt(w: Workstation): Promise<ConversationSummary> {
  return eventually('the group in the list', async () => (await w.call('conversations.list', {})).find((c) => c.id === groupId));
}

describe('groups through the API', () => {
  it('creates a group; every member sees it with its members, roles and system lines', async () => {
    const created = await alice.call('groups.create', { name: NAME, memberUserIds: [codes.bob.userId, codes.carol.userId] });
    groupId = created.id;
    expect(created).toMatchObject({ kind: 'group', title: NAME, peerUserId: '' });
    expect(groupId).toMatch(/^group:[0-9a-f]+$/);

    for (const w of [bob, carol]) expect(await groupAt(w)).toMatchObject({ kind: 'group', title: NAME, memberCount: 3 });
    await eventually('the add committed at Alice', async () => (await groupAt(alice)).memberCount === 3);
    // The change names members in user-id order (its canonical form), so either order of names.
    expect(await systemLines(alice, groupId)).toEqual(['You created this group.', expect.stringMatching(/^You added (Dr Carol Reyes, Nurse Bob Singh|Nurse Bob Singh, Dr Carol Reyes)\.$/)]);
    expect(await systemLines(bob, groupId)).toEqual([`Dr Alice Okafor added you to ${NAME}. You see messages sent from now on.`]);

    // A new member learns the others' names from the directory just after joining.
    const atBob = await eventually('names at Bob', async () => {
      const info = await bob.call('groups.info', { conversationId: groupId });
      return info.members.every((m) => m.displayName !== 'Colleague') ? info : undefined;
    });
    expect(atBob.myRole).toBe('member');
    expect(atBob.members).toEqual([
      { userId: codes.alice.userId, displayName: 'Dr Alice Okafor', role: 'admin' },
      { userId: codes.carol.userId, displayName: 'Dr Carol Reyes', role: 'member' },
      { userId: codes.bob.userId, displayName: 'Nurse Bob Singh', role: 'member' },
    ]);
    // Every member holds the same membership record.
    const atAlice = await alice.call('groups.info', { conversationId: groupId });
    expect(atAlice.myRole).toBe('admin');
    expect(atAlice.stateHash).toBe(atBob.stateHash);
  }, 60_000);

  it('sends a message that mentions Bob: his workstation says he was mentioned, Carol\'s does not', async () => {
    const text = '@Nurse Bob Singh please review bed 4 before the ward round';
    const sent = await alice.call('messages.send', { conversationId: groupId, text, mentions: [codes.bob.userId] });
    expect(sent).toMatchObject({ kind: 'text', fromMe: true, mentionsMe: false, receipts: { delivered: 0, read: 0, of: 2 } });

    const find = async (w: Workstation) =>
      eventually('the message', async () => (await w.call('messages.page', { conversationId: groupId })).messages.find((m) => m.text === text));
    expect(await find(bob)).toMatchObject({ senderName: 'Dr Alice Okafor', mentionsMe: true, receipts: null });
    expect(await find(carol)).toMatchObject({ mentionsMe: false });
    await eventually('Bob notified', () => bobNotifications.some((n) => n.body === 'Dr Alice Okafor mentioned you'));
    // The policy allows names, not text: the words never reach the notification.
    expect(bobNotifications.some((n) => n.body.includes('bed 4') || n.title.includes('bed 4'))).toBe(false);
  }, 60_000);

  it('counts delivery and reading per member until "Read by 2 of 2"', async () => {
    const sent = await alice.call('messages.send', { conversationId: groupId, text: 'Handover at 20:00 in the side room' });
    const receipts = async () => (await alice.call('messages.page', { conversationId: groupId })).messages.find((m) => m.id === sent.id);
    await eventually('delivered to both', async () => (await receipts())?.receipts?.delivered === 2);
    await eventually('Bob has it', async () => (await groupAt(bob)).unread > 0);
    await bob.call('messages.markRead', { conversationId: groupId });
    await eventually('read by Bob', async () => (await receipts())?.receipts?.read === 1);
    expect((await receipts())?.status).not.toBe('read');
    await eventually('Carol has it', async () => (await groupAt(carol)).unread > 0);
    await carol.call('messages.markRead', { conversationId: groupId });
    const done = await eventually('read by both', async () => {
      const m = await receipts();
      return m?.receipts?.read === 2 ? m : undefined;
    });
    expect(done).toMatchObject({ status: 'read', receipts: { delivered: 2, read: 2, of: 2 } });
  }, 60_000);

  it('refuses a member\'s remove with not_authorized and changes nothing', async () => {
    const refused = await failure(bob.call('groups.change', { conversationId: groupId, change: { type: 'remove', userIds: [codes.carol.userId] } }));
    expect(refused.code).toBe('not_authorized');
    expect(refused.message).toMatch(/Only a group admin can do that/);
    expect((await bob.call('groups.info', { conversationId: groupId })).members).toHaveLength(3);
    // And urgent messages stay direct.
    expect((await failure(bob.call('messages.send', { conversationId: groupId, text: 'now', urgent: true }))).code).toBe('invalid_input');
  });

  it('lets Carol leave: her group becomes read-only and the others are told', async () => {
    const before = await carol.call('groups.change', { conversationId: groupId, change: { type: 'leave' } });
    expect(before.myRole).toBe('member'); // queued: it lands once the relay has ordered it
    await eventually('Carol out', async () => (await carol.call('groups.info', { conversationId: groupId })).myRole === null);
    expect((await failure(carol.call('messages.send', { conversationId: groupId, text: 'still here?' }))).code).toBe('not_member');
    expect((await failure(carol.call('groups.change', { conversationId: groupId, change: { type: 'rename', name: 'Mine now' } }))).code).toBe('not_member');

    for (const w of [alice, bob]) {
      await eventually('the others see her leave', async () => (await systemLines(w, groupId)).includes('Dr Carol Reyes left the group.'));
      expect((await groupAt(w)).memberCount).toBe(2);
    }
    expect((await alice.call('groups.info', { conversationId: groupId })).members.map((m) => m.displayName)).toEqual(['Dr Alice Okafor', 'Nurse Bob Singh']);
  }, 60_000);
});
