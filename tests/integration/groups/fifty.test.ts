import { hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deserializeDeviceKeys,
  deserializeGroupState,
  createSenderKey,
  deserializeSenderKeyReceiver,
  groupDecrypt,
  groupEncrypt,
  signChange,
} from '../../../main/core/crypto';
import { encodeContent } from '../../../main/core/messaging/content';
import { Groups } from '../../../main/core/messaging/groups';
import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import { GroupMember, issueUsers } from '../../harness/group-members';
import { eventually } from '../messaging/support';
import { startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';

/**
 * Issue 10, point 5: a 50-member group of headless clients (the real engine and SQLCipher store
 * each, one real relay process). Every message reaches every member; a removed member gets
 * nothing new and cannot decrypt it with the keys it kept; concurrent changes by two admins end
 * in the same membership everywhere; forged changes and messages from non-members are refused.
 */
const SIZE = Number(process.env.WARDLINE_GROUP_TEST_SIZE ?? 50);
const LAST = SIZE - 1;
const [R1, R2, R3] = [SIZE - 10, SIZE - 9, SIZE - 8];
let relay: RelayProcess;
let members: GroupMember[] = [];
let gid = '';

const member = (i: number) => members[i] as GroupMember;
const stateHashOf = (m: GroupMember) => m.engine.groups.info(gid).stateHash;
const bodies = (m: GroupMember) => m.texts(gid).map((x) => x.body);
const systemLines = (m: GroupMember) => m.store.messages.page(gid, { limit: 500 }).items.filter((x) => x.kind === 'system').map((x) => x.body);

/** What a member's engine was handed by the relay, raw, as a removed member could capture it. */
const captured: { senderUserId: string; senderDeviceId: string; payload: string }[] = [];

beforeAll(async () => {
  relay = await startRelay({ args: ['--rate-requests', '5000', '--rate-envelopes', '100000', '--rate-burst', '100000'] });
  const users = issueUsers(relay.dataDir, Array.from({ length: SIZE }, (_, i) => ({ username: `member${i}`, displayName: `Clinician ${i}` })));
  members = [];
  for (let i = 0; i < SIZE; i += 10) members.push(...(await Promise.all(users.slice(i, i + 10).map((u) => GroupMember.enrol(relay.url, u, { quiet: true })))));
  for (const m of members) await eventually('relay authentication', () => m.engine.relay.state === 'authenticated');
  member(1).engine.relay.onPush('envelope.deliver', (push) => captured.push(...push.envelopes));
}, 300_000);

afterAll(async () => {
  for (const m of members) await m.close().catch(() => undefined);
  await relay?.kill();
});

describe('a 50-member group', () => {
  it('is created by one admin and every member joins with the same state', async () => {
    gid = member(0).engine.groups.create('Ward 7 rota', members.slice(1).map((m) => m.userId));
    await eventually('all 50 joined', () => members.every((m) => m.store.groups.get(gid) !== null), 120_000);
    const hash = stateHashOf(member(0));
    expect(members.map(stateHashOf)).toEqual(members.map(() => hash));
    expect(member(0).engine.groups.info(gid).members).toHaveLength(SIZE);
    member(0).engine.groups.change(gid, { type: 'promote', userId: member(1).userId });
    await eventually('second admin everywhere', () => members.every((m) => m.engine.groups.info(gid).members.find((x) => x.userId === member(1).userId)?.role === 'admin'), 60_000);
  }, 180_000);

  it('delivers every message to every member, once', async () => {
    const senders = [0, 7, Math.floor(SIZE * 0.4), Math.floor(SIZE * 0.66), LAST];
    for (const i of senders) member(i).engine.sendText(gid, `rota note from ${i}`);
    const expected = senders.map((i) => `rota note from ${i}`);
    await eventually('every member has all five', () => members.every((m) => expected.every((t) => bodies(m).includes(t))), 180_000);
    for (const m of members) expect(bodies(m).filter((b) => b.startsWith('rota note')).sort()).toEqual([...expected].sort());
    // Each sender sees delivery from all 49 others ("delivered to 49 of 49").
    await eventually('receipts', () => senders.every((i) => {
      const mine = member(i).texts(gid).find((x) => x.body === `rota note from ${i}`);
      return mine && member(i).engine.groups.receiptSummary(mine)?.delivered === SIZE - 1;
    }), 60_000).catch((err: unknown) => {
      for (const i of senders) {
        const mine = member(i).texts(gid).find((x) => x.body === `rota note from ${i}`)!;
        console.log('receipts of', i, JSON.stringify(member(i).engine.groups.receiptSummary(mine)), 'outbox', member(i).store.outbox.pending().length);
      }
      for (const m of members.slice(0, 6)) console.log(m.name, JSON.stringify(m.store.outbox.pending().map((e) => [e.kind, e.recipientUserId.slice(0, 6), e.lastError, e.attempts])), JSON.stringify(m.log.slice(-4)));
      throw err;
    });
  }, 240_000);

  it('cuts a removed member off: nothing new reaches it, and its old keys do not open what is sent', async () => {
    const removed = member(LAST);
    const keptKeys = removed.store.groups.get(gid) ? listReceiverKeys(removed) : [];
    expect(keptKeys.length).toBeGreaterThan(0);
    member(0).engine.groups.change(gid, { type: 'remove', userIds: [removed.userId] });
    await eventually('removal applied everywhere', () => members.every((m) => m === removed ? m.store.groups.get(gid)?.leftAt !== null : !m.engine.groups.info(gid).members.some((x) => x.userId === removed.userId)), 120_000);
    captured.length = 0;
    member(7).engine.sendText(gid, 'after the removal');
    await eventually('members have it', () => members.slice(0, LAST).every((m) => bodies(m).includes('after the removal')), 120_000);
    expect(bodies(removed)).not.toContain('after the removal');
    const sent = captured.find((e) => e.senderUserId === member(7).userId && Groups.isGroupMessage(decodeBase64(e.payload)));
    expect(sent).toBeDefined();
    const bytes = decodeBase64(sent!.payload);
    const ad = senderAd(sent!.senderUserId, sent!.senderDeviceId);
    for (const key of keptKeys) expect(() => groupDecrypt(key, bytes, ad)).toThrow(/sender key|signature/);
    // And the removed member's workstation does not take it either.
    expect(removed.engine.groups.info(gid).myRole).toBeNull();
  }, 240_000);

  it('ends concurrent changes by two admins in the same membership everywhere', async () => {
    const [a, b] = [member(0), member(1)];
    a.engine.groups.change(gid, { type: 'remove', userIds: [member(R1).userId, member(R2).userId] });
    b.engine.groups.change(gid, { type: 'remove', userIds: [member(R2).userId, member(R3).userId] });
    a.engine.groups.change(gid, { type: 'rename', name: 'Ward 7 rota (nights)' });
    b.engine.groups.change(gid, { type: 'add', userIds: [member(LAST).userId] });
    const gone = new Set([R1, R2, R3].map((i) => member(i).userId));
    await eventually('both admins\' changes everywhere', () => {
      const live = members.filter((m) => !gone.has(m.userId));
      const hash = stateHashOf(a);
      return live.every((m) => m.store.groups.get(gid)?.leftAt === null && stateHashOf(m) === hash) &&
        a.engine.groups.info(gid).members.every((x) => !gone.has(x.userId)) &&
        a.engine.groups.info(gid).name === 'Ward 7 rota (nights)' &&
        a.engine.groups.info(gid).members.some((x) => x.userId === member(LAST).userId);
    }, 180_000);
    const info = a.engine.groups.info(gid);
    expect(info.members.map((x) => x.userId).sort()).toEqual(members.filter((m) => !gone.has(m.userId)).map((m) => m.userId).sort());
    for (const i of [R1, R2, R3]) expect(member(i).store.groups.get(gid)?.leftAt).not.toBeNull();
    // The re-added member reads what is sent from now on.
    member(19).engine.sendText(gid, 'welcome back');
    await eventually('re-added member reads it', () => bodies(member(LAST)).includes('welcome back'), 120_000);
  }, 300_000);

  it('refuses a forged membership change and says so, leaving the group as it was', async () => {
    const forger = member(5); // a plain member
    const victim = member(6);
    const before = stateHashOf(victim);
    const state = deserializeGroupState(victim.store.groups.get(gid)!.state);
    // Signed by the forger for a copy of the state in which it made itself an admin.
    const doctored = { ...state, members: new Map(state.members).set(forger.userId, 'admin' as const) };
    const identity = deserializeDeviceKeys(forger.store.account.get()!.deviceKeys).identity;
    const forged = signChange(doctored, { type: 'add', userIds: [member(R3).userId] }, { userId: forger.userId, identity });
    // A real admin's change with one byte of its signature flipped.
    const admin = member(0);
    const adminIdentity = deserializeDeviceKeys(admin.store.account.get()!.deviceKeys).identity;
    const genuine = signChange(state, { type: 'remove', userIds: [victim.userId] }, { userId: admin.userId, identity: adminIdentity });
    genuine[genuine.length - 1]! ^= 1;
    sendPairwise(forger, victim.userId, encodeContent({ t: 'group-change', change: encodeBase64(forged) }));
    sendPairwise(admin, victim.userId, encodeContent({ t: 'group-change', change: encodeBase64(genuine) }));
    await Promise.all([forger.engine.flush(), admin.engine.flush()]);
    await eventually('two refusals shown', () => systemLines(victim).filter((l) => l.includes('was refused')).length === 2, 60_000);
    expect(stateHashOf(victim)).toBe(before);
    expect(victim.engine.groups.info(gid).myRole).toBe('member');
  }, 120_000);

  it('refuses a group message from someone who is no longer a member', async () => {
    const outsider = member(R3); // removed by the concurrent changes above
    const epoch = member(3).engine.groups.info(gid).epoch;
    const key = createSenderKey({ groupId: hexToBytes(gid.slice('group:'.length)), epoch }, (n) => crypto.getRandomValues(new Uint8Array(n)));
    const text = encodeContent({ t: 'text', id: 'ab'.repeat(16), sentAt: Date.now(), text: 'I am still here' });
    const { message } = groupEncrypt(key, text, senderAd(outsider.userId, outsider.engine.account.deviceId));
    const target = member(3);
    const answer = await outsider.engine.relay.request('group.send', { recipients: [target.engine.account.deviceId], senderMessageId: 'cd'.repeat(16), payload: encodeBase64(message) });
    expect(answer.results[0]?.status).toBe('stored');
    await eventually('dropped as a non-member', () => target.log.some((l) => l.event === 'receive.dropped' && l.fields?.reason === 'sender_not_member'), 60_000);
    expect(bodies(target)).not.toContain('I am still here');
  }, 120_000);
});

function listReceiverKeys(m: GroupMember) {
  const groupId = hexToBytes(gid.slice('group:'.length));
  return members
    .filter((x) => x !== m)
    .map((x) => m.store.groups.senderKeyRecords(groupId, x.userId))
    .flat()
    .map((record) => deserializeSenderKeyReceiver(record));
}

function sendPairwise(from: GroupMember, toUserId: string, payload: Uint8Array): void {
  const now = Date.now();
  from.store.outbox.enqueue({ kind: 'fanout', recipientUserId: toUserId, payload, nextAttemptAt: now, createdAt: now });
}

/** The same binding groups.ts uses: u16 length + user id, u16 length + device id. */
function senderAd(userId: string, deviceId: string): Uint8Array {
  const u = utf8ToBytes(userId);
  const d = utf8ToBytes(deviceId);
  return concatBytes(new Uint8Array([u.length >> 8, u.length & 0xff]), u, new Uint8Array([d.length >> 8, d.length & 0xff]), d);
}
