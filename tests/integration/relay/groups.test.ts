import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import type { RelayRequest } from '../../../protocol/relay';
import { enrolledDevice, randomB64, type Connection, type TestDevice } from './support/device';
import { addUser, startRelay, tempDataDir, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;
let carol: TestDevice;
let dave: TestDevice;
const sentPayloads: string[] = [];

beforeAll(async () => {
  relay = await startRelay();
  const device = async (name: string) => enrolledDevice(relay.url, (await addUser(relay.dataDir, name, name)).code);
  [alice, bob, carol, dave] = [await device('alice'), await device('bob'), await device('carol'), await device('dave')];
});
afterAll(async () => {
  await relay.kill();
});

function payload(): string {
  const text = randomB64(300);
  sentPayloads.push(text);
  return text;
}

const groupId = () => randomBytes(32).toString('base64');
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function change(to: TestDevice[], senderMessageId: string): RelayRequest<'group.commit'>['envelopes'] {
  return to.map((device) => ({ to: device.deviceId, senderMessageId, payload: payload() }));
}

/** Brings a device online, takes exactly `count` deliveries (no more arrive), and acknowledges them. */
async function drain(device: TestDevice, count: number) {
  const connection = await device.online();
  const delivered = await connection.waitForDeliveries(count);
  await settle();
  expect(connection.delivered).toHaveLength(count);
  if (count > 0) await connection.request('envelope.ack', { ids: delivered.map((envelope) => envelope.id) });
  connection.close();
  return delivered;
}

describe('group.send', () => {
  it('delivers one upload to every recipient once, with the same payload and the sender\'s ids, and answers a resend as duplicate', async () => {
    const a = await alice.online();
    const recipients = [bob, carol, dave];
    const content = payload();
    const sent = await a.request('group.send', { recipients: recipients.map((device) => device.deviceId), senderMessageId: 'g-1', payload: content });
    expect(sent).toEqual({ ok: true, results: recipients.map((device) => ({ to: device.deviceId, senderMessageId: 'g-1', status: 'stored' })) });
    const again = await a.request('group.send', { recipients: recipients.map((device) => device.deviceId), senderMessageId: 'g-1', payload: content });
    expect(again).toMatchObject({ ok: true, results: recipients.map(() => ({ status: 'duplicate' })) });
    for (const device of recipients) {
      const [delivered] = await drain(device, 1);
      expect(delivered).toMatchObject({ senderDeviceId: alice.deviceId, senderUserId: alice.enrolment?.userId, senderMessageId: 'g-1', payload: content });
    }
    a.close();
  });

  it('pushes live to connected recipients after the commit', async () => {
    const a = await alice.online();
    const b = await bob.online();
    const content = payload();
    expect(await a.request('group.send', { recipients: [bob.deviceId], senderMessageId: 'g-live', payload: content })).toMatchObject({ ok: true });
    const [delivered] = await b.waitForDeliveries(1);
    expect(delivered).toMatchObject({ senderMessageId: 'g-live', payload: content });
    await b.request('envelope.ack', { ids: [delivered?.id ?? 0] });
    for (const connection of [a, b]) connection.close();
  });

  it('rejects unknown recipients individually and stores for the others', async () => {
    const a = await alice.online();
    const stranger = randomUUID();
    const sent = await a.request('group.send', { recipients: [bob.deviceId, stranger, carol.deviceId], senderMessageId: 'g-2', payload: payload() });
    expect(sent).toEqual({
      ok: true,
      results: [
        { to: bob.deviceId, senderMessageId: 'g-2', status: 'stored' },
        { to: stranger, senderMessageId: 'g-2', status: 'rejected', error: 'unknown_device' },
        { to: carol.deviceId, senderMessageId: 'g-2', status: 'stored' },
      ],
    });
    await drain(bob, 1);
    await drain(carol, 1);
    a.close();
  });

  it('refuses an oversized payload whole, stores nothing, and keeps the socket working', async () => {
    const a = await alice.online();
    const big = randomBytes(256 * 1024 + 1).toString('base64');
    const refused = await a.request('group.send', { recipients: [bob.deviceId, carol.deviceId], senderMessageId: 'g-big', payload: big });
    expect(refused).toMatchObject({ ok: false, error: { code: 'envelope_too_large' } });
    // Nothing of the refused request was stored: the same id is new.
    const small = await a.request('group.send', { recipients: [bob.deviceId, carol.deviceId], senderMessageId: 'g-big', payload: payload() });
    expect(small).toMatchObject({ ok: true, results: [{ status: 'stored' }, { status: 'stored' }] });
    await drain(bob, 1);
    await drain(carol, 1);
    a.close();
  });

  it('refuses malformed requests with invalid_payload and stays connected', async () => {
    const a = await alice.online();
    const ok = { recipients: [bob.deviceId], senderMessageId: 'm', payload: 'AAAA' };
    const cases: unknown[] = [
      {},
      { ...ok, recipients: [] },
      { ...ok, recipients: [bob.deviceId, bob.deviceId] },
      { ...ok, recipients: Array.from({ length: 1001 }, () => randomUUID()) },
      { ...ok, recipients: ['not-a-device'] },
      { ...ok, senderMessageId: '' },
      { ...ok, payload: 'not base64!' },
      { ...ok, extra: 1 },
    ];
    for (const body of cases) expect(await a.raw('group.send', body)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await a.raw('group.send', { ...ok, recipients: [bob.deviceId, bob.deviceId] })).toMatchObject({
      error: { message: expect.stringContaining('recipients') },
    });
    const commit = { groupId: groupId(), epoch: 0, envelopes: [{ to: bob.deviceId, senderMessageId: 'm', payload: 'AAAA' }] };
    const commitCases: unknown[] = [
      { ...commit, groupId: randomBytes(31).toString('base64') },
      { ...commit, epoch: -1 },
      { ...commit, epoch: 2 ** 32 },
      { ...commit, epoch: 1.5 },
      { ...commit, envelopes: [] },
      { ...commit, envelopes: Array.from({ length: 1001 }, (_, i) => ({ to: bob.deviceId, senderMessageId: `m${i}`, payload: 'AAAA' })) },
      { ...commit, extra: true },
    ];
    for (const body of commitCases) expect(await a.raw('group.commit', body)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(a.socket.connected).toBe(true);
    expect(await a.request('group.send', { recipients: [bob.deviceId], senderMessageId: 'after-malformed', payload: payload() })).toMatchObject({ ok: true });
    // The malformed commit stored no head: epoch 5 is accepted as the group's first commit.
    expect(await a.request('group.commit', { ...commit, epoch: 5 })).toMatchObject({ ok: true, epoch: 6 });
    await drain(bob, 2);
    a.close();
  });

  it('refuses both requests on a socket that has not authenticated', async () => {
    const intruder = await alice.connect();
    expect(await intruder.request('group.send', { recipients: [bob.deviceId], senderMessageId: 'x', payload: 'AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    expect(
      await intruder.request('group.commit', { groupId: groupId(), epoch: 0, envelopes: [{ to: bob.deviceId, senderMessageId: 'x', payload: 'AAAA' }] }),
    ).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    intruder.close();
    await drain(bob, 0);
  });
});

describe('group.commit', () => {
  it('accepts the first commit at any epoch, advances the head, and refuses a commit at an old epoch with the head, storing nothing', async () => {
    const a = await alice.online();
    const c = await carol.online();
    const group = groupId();
    const first = await a.request('group.commit', { groupId: group, epoch: 7, envelopes: change([bob, dave], 'c-7') });
    expect(first).toEqual({
      ok: true,
      epoch: 8,
      results: [bob, dave].map((device) => ({ to: device.deviceId, senderMessageId: 'c-7', status: 'stored' })),
    });
    const stale = await c.request('group.commit', { groupId: group, epoch: 7, envelopes: change([bob, dave], 'c-7-late') });
    expect(stale).toEqual({ ok: false, error: { code: 'stale_epoch', message: expect.stringContaining('epoch 8'), epoch: 8 } });
    expect(await c.request('group.commit', { groupId: group, epoch: 9, envelopes: change([bob], 'c-9-early') })).toMatchObject({
      ok: false,
      error: { code: 'stale_epoch', epoch: 8 },
    });
    expect(await c.request('group.commit', { groupId: group, epoch: 8, envelopes: change([bob, dave], 'c-8') })).toMatchObject({ ok: true, epoch: 9 });
    // Heads are per group: another group starts wherever its first commit says.
    expect(await c.request('group.commit', { groupId: groupId(), epoch: 0, envelopes: change([bob], 'other-0') })).toMatchObject({ ok: true, epoch: 1 });
    for (const device of [bob, dave]) {
      const names = (await drain(device, device === bob ? 3 : 2)).map((envelope) => envelope.senderMessageId);
      expect(names).toEqual(device === bob ? ['c-7', 'c-8', 'other-0'] : ['c-7', 'c-8']);
    }
    for (const connection of [a, c]) connection.close();
  });

  it('answers a retry of the accepted commit as duplicate with the epoch, and stores it only once', async () => {
    const a = await alice.online();
    const group = groupId();
    const envelopes = change([bob, carol], 'retry-0');
    envelopes.push({ to: randomUUID(), senderMessageId: 'retry-0', payload: payload() });
    const first = await a.request('group.commit', { groupId: group, epoch: 0, envelopes });
    expect(first).toMatchObject({ ok: true, epoch: 1, results: [{ status: 'stored' }, { status: 'stored' }, { status: 'rejected', error: 'unknown_device' }] });
    const retry = await a.request('group.commit', { groupId: group, epoch: 0, envelopes });
    expect(retry).toMatchObject({ ok: true, epoch: 1, results: [{ status: 'duplicate' }, { status: 'duplicate' }, { status: 'rejected', error: 'unknown_device' }] });
    // The same epoch from another device, or another commit from the same one, is still stale.
    const d = await dave.online();
    expect(await d.request('group.commit', { groupId: group, epoch: 0, envelopes })).toMatchObject({ ok: false, error: { code: 'stale_epoch', epoch: 1 } });
    expect(await a.request('group.commit', { groupId: group, epoch: 0, envelopes: change([bob], 'retry-other') })).toMatchObject({
      ok: false,
      error: { code: 'stale_epoch', epoch: 1 },
    });
    await drain(bob, 1);
    await drain(carol, 1);
    for (const connection of [a, d]) connection.close();
  });

  it('orders concurrent commits: one wins each epoch, and every recipient device sees the accepted ones in the same order', async () => {
    const group = groupId();
    const recipients = [bob, dave];
    const racers = [alice, carol];
    const connections = await Promise.all(racers.map((device) => device.online()));
    // Both commit the group's first epoch at the same moment: exactly one is accepted.
    const opening = await Promise.all(connections.map((connection, i) => connection.request('group.commit', { groupId: group, epoch: 0, envelopes: change(recipients, `open-${i}`) })));
    expect(opening.filter((answer) => answer.ok)).toHaveLength(1);
    expect(opening.find((answer) => !answer.ok)).toMatchObject({ ok: false, error: { code: 'stale_epoch', epoch: 1 } });
    const accepted: { name: string; epoch: number }[] = [];
    opening.forEach((answer, i) => {
      if (answer.ok) accepted.push({ name: `open-${i}`, epoch: 0 });
    });

    // Then each racer commits ten changes, re-basing on the head it is told whenever it loses.
    const race = async (connection: Connection, racer: number) => {
      let epoch = 1;
      for (let n = 0; n < 10; n++) {
        const name = `race-${racer}-${n}`;
        for (;;) {
          const answer = await connection.request('group.commit', { groupId: group, epoch, envelopes: change(recipients, name) });
          if (answer.ok) {
            accepted.push({ name, epoch });
            epoch = answer.epoch;
            break;
          }
          expect(answer.error.code).toBe('stale_epoch');
          epoch = answer.error.epoch ?? Number.NaN;
        }
      }
    };
    await Promise.all(connections.map((connection, i) => race(connection, i)));
    for (const connection of connections) connection.close();

    const order = [...accepted].sort((x, y) => x.epoch - y.epoch);
    expect(order.map((entry) => entry.epoch)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    for (const device of recipients) {
      const names = (await drain(device, 21)).map((envelope) => envelope.senderMessageId);
      expect(names).toEqual(order.map((entry) => entry.name));
    }
  });

  it('refuses a commit with an oversized envelope whole and leaves the head where it was', async () => {
    const a = await alice.online();
    const group = groupId();
    const envelopes = change([bob], 'big-0');
    envelopes.push({ to: carol.deviceId, senderMessageId: 'big-0', payload: randomBytes(256 * 1024 + 1).toString('base64') });
    expect(await a.request('group.commit', { groupId: group, epoch: 3, envelopes })).toMatchObject({
      ok: false,
      error: { code: 'envelope_too_large', message: expect.stringContaining('envelopes[1]') },
    });
    expect(await a.request('group.commit', { groupId: group, epoch: 0, envelopes: change([bob], 'big-0') })).toMatchObject({ ok: true, epoch: 1 });
    await drain(bob, 1);
    a.close();
  });

  it('takes a full group commit of 1000 envelopes of 2 KB in one packet', async () => {
    const a = await alice.online();
    const envelopes = Array.from({ length: 1000 }, (_, i) => ({
      to: i === 0 ? bob.deviceId : randomUUID(),
      senderMessageId: 'full-group',
      payload: randomB64(1536), // 2 KB of base64
    }));
    const answer = await a.request('group.commit', { groupId: groupId(), epoch: 0, envelopes });
    expect(answer).toMatchObject({ ok: true, epoch: 1 });
    if (!answer.ok) throw new Error('unreachable');
    expect(answer.results.filter((result) => result.status === 'stored')).toHaveLength(1);
    expect(a.socket.connected).toBe(true);
    await drain(bob, 1);
    a.close();
  });

  it('never writes payloads or group ids to its logs', () => {
    const logs = relay.output();
    expect(logs).toContain('relay listening');
    for (const secret of sentPayloads) expect(logs).not.toContain(secret.slice(0, 40));
  });
});

describe('group limits and durability', () => {
  let other: RelayProcess | undefined;
  afterEach(async () => {
    await other?.kill();
  });

  it('charges 1 + ceil(devices / 50) tokens of the sender\'s envelope allowance per group request', async () => {
    other = await startRelay({ args: ['--rate-envelopes', '1', '--rate-burst', '12'] });
    const sender = await enrolledDevice(other.url, (await addUser(other.dataDir, 'sender', 'sender')).code);
    const s = await sender.online();
    // 200 devices cost 5 tokens, not 200: two fit in a burst of 12, a third does not.
    const recipients = Array.from({ length: 200 }, () => randomUUID());
    for (const id of ['r-1', 'r-2']) {
      expect(await s.request('group.send', { recipients, senderMessageId: id, payload: 'AAAA' })).toMatchObject({ ok: true });
    }
    expect(await s.request('group.send', { recipients, senderMessageId: 'r-3', payload: 'AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryAfterMs: expect.any(Number) },
    });
    const commit = { groupId: groupId(), epoch: 0, envelopes: recipients.map((to) => ({ to, senderMessageId: 'c', payload: 'AAAA' })) };
    expect(await s.request('group.commit', commit)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    s.close();
  });

  it('keeps group heads, and the last accepted commit, across a SIGKILL and restart', async () => {
    const dataDir = tempDataDir();
    other = await startRelay({ dataDir });
    const code = async (name: string) => (await addUser(dataDir, name, name)).code;
    const [admin, rival, member] = [await enrolledDevice(other.url, await code('admin')), await enrolledDevice(other.url, await code('rival')), await enrolledDevice(other.url, await code('member'))];
    const group = groupId();
    const envelopes = [{ to: member.deviceId, senderMessageId: 'kept-3', payload: randomB64(100) }];
    const a = await admin.online();
    expect(await a.request('group.commit', { groupId: group, epoch: 3, envelopes })).toMatchObject({ ok: true, epoch: 4 });
    await other.kill('SIGKILL');

    other = await startRelay({ dataDir });
    for (const device of [admin, rival, member]) device.url = other.url;
    const r = await rival.online();
    expect(await r.request('group.commit', { groupId: group, epoch: 3, envelopes: [{ to: member.deviceId, senderMessageId: 'lost', payload: 'AAAA' }] })).toMatchObject({
      ok: false,
      error: { code: 'stale_epoch', epoch: 4 },
    });
    const again = await admin.online();
    expect(await again.request('group.commit', { groupId: group, epoch: 3, envelopes })).toMatchObject({ ok: true, epoch: 4, results: [{ status: 'duplicate' }] });
    expect(await r.request('group.commit', { groupId: group, epoch: 4, envelopes: [{ to: member.deviceId, senderMessageId: 'next-4', payload: 'AAAA' }] })).toMatchObject({
      ok: true,
      epoch: 5,
    });
    const m = await member.online();
    await m.waitForDeliveries(2);
    await settle();
    expect(m.delivered.map((envelope) => envelope.senderMessageId)).toEqual(['kept-3', 'next-4']);
    for (const connection of [a, r, again, m]) connection.close();
  });
});
