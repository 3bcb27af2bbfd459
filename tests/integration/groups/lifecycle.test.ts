import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Groups, STALE_GRACE_MS } from '../../../main/core/messaging/groups';
import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import { GroupMember, issueUsers } from '../../harness/group-members';
import { startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';
import { eventually } from '../messaging/support';

let relay: RelayProcess;
let members: GroupMember[] = [];

beforeAll(async () => {
  relay = await startRelay({ args: ['--rate-requests', '1000', '--rate-envelopes', '10000'] });
  const users = issueUsers(relay.dataDir, ['a', 'b', 'c', 'd'].map((u) => ({ username: `g${u}`, displayName: `Dr ${u.toUpperCase()}` })));
  members = await Promise.all(users.map((u) => GroupMember.enrol(relay.url, u)));
  for (const m of members) await eventually('auth', () => m.engine.relay.state === 'authenticated');
}, 120_000);

afterAll(async () => {
  for (const m of members) await m.close().catch(() => undefined);
  await relay?.kill();
});

/**
 * One group's life with four real engines on the real relay: created with two colleagues, a
 * message each way, one removed (they get nothing new), one added (they read only what follows),
 * per-member receipts, and the system lines that say so.
 */
describe('a group from creation through removal and addition', () => {
  it('delivers to members only, and tells everyone what changed', async () => {
    const [a, b, c, d] = members as [GroupMember, GroupMember, GroupMember, GroupMember];
    const gid = a.engine.groups.create('Ward 7 nights', [b.userId, c.userId]);
    await eventually('b and c joined', () => [b, c].every((m) => m.store.groups.get(gid) !== null));
    a.engine.sendText(gid, 'handover at 8');
    await eventually('b and c got it', () => [b, c].every((m) => m.texts(gid).some((x) => x.body === 'handover at 8')), 20_000);
    b.engine.sendText(gid, 'ok from b');
    await eventually('a and c got b', () => [a, c].every((m) => m.texts(gid).some((x) => x.body === 'ok from b')), 20_000);
    a.engine.groups.change(gid, { type: 'remove', userIds: [c.userId] });
    await eventually('c removed everywhere', () => [a, b].every((m) => !m.engine.groups.info(gid).members.some((x) => x.userId === c.userId)) && c.store.groups.get(gid)?.leftAt != null);
    a.engine.groups.change(gid, { type: 'add', userIds: [d.userId] });
    await eventually('d joined', () => d.store.groups.get(gid) !== null && b.engine.groups.info(gid).members.some((x) => x.userId === d.userId));
    b.engine.sendText(gid, 'after removal');
    await eventually('a and d got it', () => [a, d].every((m) => m.texts(gid).some((x) => x.body === 'after removal')), 20_000);
    expect(c.texts(gid).map((x) => x.body)).not.toContain('after removal');
    expect(d.texts(gid).map((x) => x.body)).toEqual(['after removal']);
    await eventually('read by', () => { const m = a.texts(gid).find((x) => x.body === 'handover at 8'); return m && a.engine.groups.receiptSummary(m)?.delivered === 2; });
    expect(a.store.messages.page(gid, { limit: 50 }).items.filter((m) => m.kind === 'system').map((m) => m.body).reverse()).toEqual([
      'You created this group.',
      'You added Dr B, Dr C.',
      'You removed Dr C. Messages are now encrypted under new keys they do not have.',
      'You added Dr D.',
    ]);
    expect(d.store.messages.page(gid, { limit: 50 }).items.filter((m) => m.kind === 'system').map((m) => m.body)).toEqual(['Dr A added you to Ward 7 nights. You see messages sent from now on.']);
  }, 120_000);

  it('drops a replayed or tampered group message without storing anything', async () => {
    const [a, b, , d] = members as [GroupMember, GroupMember, GroupMember, GroupMember];
    const gid = a.store.groups.list()[0]!.conversationId;
    const seen: string[] = [];
    const stop = b.engine.relay.onPush('envelope.deliver', (push) => {
      for (const e of push.envelopes) if (e.senderUserId === a.userId) seen.push(e.payload);
    });
    a.engine.sendText(gid, 'replay me');
    // Both recipients have the original before counting, so only a replay could add to the count.
    await eventually('b and d have it', () => [b, d].every((m) => m.texts(gid).some((x) => x.body === 'replay me')));
    stop();
    const original = seen.find((p) => Groups.isGroupMessage(decodeBase64(p)))!;
    const tampered = decodeBase64(original);
    tampered[60]! ^= 1;
    const before = { b: b.texts(gid).length, d: d.texts(gid).length };
    // What a hostile relay could do: deliver the same bytes again under new ids, or altered bytes.
    for (const [payload, id] of [[original, 'ab'.repeat(16)], [encodeBase64(tampered), 'cd'.repeat(16)]] as const) {
      await a.engine.relay.request('group.send', { recipients: [b.engine.account.deviceId, d.engine.account.deviceId], senderMessageId: id, payload });
    }
    for (const m of [b, d]) {
      await eventually('both dropped', () => {
        const reasons = m.log.filter((l) => l.event === 'receive.dropped').map((l) => l.fields?.reason);
        return reasons.includes('duplicate') && reasons.includes('bad_signature');
      });
    }
    expect({ b: b.texts(gid).length, d: d.texts(gid).length }).toEqual(before);
  }, 60_000);

  it('goes on changing membership after someone advances the relay\'s head with a change nobody applies', async () => {
    const [a, b, , d] = members as [GroupMember, GroupMember, GroupMember, GroupMember];
    const gid = a.store.groups.list()[0]!.conversationId;
    const { epoch } = a.engine.groups.info(gid);
    // A member (not an admin) commits junk at the head: the relay cannot tell; every member drops it.
    const junk = encodeBase64(crypto.getRandomValues(new Uint8Array(64)));
    await b.engine.relay.request('group.commit', {
      groupId: encodeBase64(a.store.groups.get(gid)!.groupId), epoch,
      envelopes: [a, d].map((m) => ({ to: m.engine.account.deviceId, senderMessageId: 'ef'.repeat(16), payload: junk })),
    });
    a.engine.groups.change(gid, { type: 'rename', name: 'Ward 7 nights (A team)' });
    await eventually('renamed everywhere', () => [a, b, d].every((m) => m.engine.groups.info(gid).name === 'Ward 7 nights (A team)'), STALE_GRACE_MS + 20_000);
    expect(a.log.some((l) => l.event === 'group.relay_head_skipped')).toBe(true);
    expect(a.engine.groups.info(gid).epoch).toBe(epoch + 1);
    // The next change goes straight through, from the new head.
    a.engine.groups.change(gid, { type: 'rename', name: 'Ward 7 nights' });
    await eventually('renamed back', () => [a, b, d].every((m) => m.engine.groups.info(gid).name === 'Ward 7 nights'), 10_000);
  }, 60_000);

  it('carries a file to every member workstation, and nobody else', async () => {
    const [a, b, c, d] = members as [GroupMember, GroupMember, GroupMember, GroupMember];
    const gid = a.store.groups.list()[0]!.conversationId;
    const data = new TextEncoder().encode('ward 7 handover sheet: bed 4 K+ 6.1, recheck 14:00');
    const sent = a.engine.sendAttachment(gid, { name: 'handover.txt', mimeType: 'text/plain', data });
    const fileAt = (m: GroupMember) => {
      const message = m.store.messages.page(gid, { limit: 100 }).items.find((x) => x.senderMessageId === sent.id);
      const file = message ? m.store.attachments.forMessage(message.id)[0] : undefined;
      return file?.state === 'stored' ? m.store.attachments.getContent(file.id) : undefined;
    };
    for (const m of [b, d]) expect(await eventually('file stored', () => fileAt(m), 30_000)).toEqual(data);
    await eventually('sent', () => a.store.messages.get(sent.id)?.status !== 'pending');
    expect(c.store.messages.page(gid, { limit: 100 }).items.some((x) => x.senderMessageId === sent.id)).toBe(false);
  }, 60_000);
});
