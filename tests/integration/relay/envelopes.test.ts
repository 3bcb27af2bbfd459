import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { enrolledDevice, randomB64, type Connection, type TestDevice } from './support/device';
import { addUser, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;
let carol: TestDevice;
const sentPayloads: string[] = [];

beforeAll(async () => {
  relay = await startRelay();
  alice = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'alice', 'Dr Alice')).code);
  bob = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'bob', 'Dr Bob')).code);
  carol = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'carol', 'Nurse Carol')).code);
});
afterAll(async () => {
  await relay.kill();
});

function payload(): string {
  const text = randomB64(300);
  sentPayloads.push(text);
  return text;
}

async function send(from: Connection, to: TestDevice, ids: string[]) {
  const result = await from.request('envelope.send', { envelopes: ids.map((id) => ({ to: to.deviceId, senderMessageId: id, payload: payload() })) });
  if (!result.ok) throw new Error(result.error.code);
  return result.results;
}

describe('store and forward', () => {
  it('delivers live, with sender identity, and deletes on the recipient\'s acknowledgement', async () => {
    const a = await alice.online();
    const b = await bob.online();
    const content = payload();
    const result = await a.request('envelope.send', { envelopes: [{ to: bob.deviceId, senderMessageId: 'm1', payload: content }] });
    expect(result).toEqual({ ok: true, results: [{ to: bob.deviceId, senderMessageId: 'm1', status: 'stored' }] });
    const [delivered] = await b.waitForDeliveries(1);
    expect(delivered).toMatchObject({ senderDeviceId: alice.deviceId, senderUserId: alice.enrolment?.userId, senderMessageId: 'm1', payload: content });
    expect(await b.request('envelope.ack', { ids: [delivered?.id ?? 0] })).toEqual({ ok: true, acked: 1 });
    b.close();
    const again = await bob.online();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again.delivered).toHaveLength(0);
    again.close();
    a.close();
  });

  it('keeps envelopes for an offline device and redelivers what it did not acknowledge', async () => {
    const a = await alice.online();
    await send(a, bob, ['off-1', 'off-2', 'off-3']);
    const first = await bob.online();
    const delivered = await first.waitForDeliveries(3);
    expect(delivered.map((envelope) => envelope.senderMessageId)).toEqual(['off-1', 'off-2', 'off-3']);
    await first.request('envelope.ack', { ids: [delivered[0]?.id ?? 0, delivered[2]?.id ?? 0] });
    first.close();
    const second = await bob.online();
    const redelivered = await second.waitForDeliveries(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(redelivered.map((envelope) => envelope.senderMessageId)).toEqual(['off-2']);
    await second.request('envelope.ack', { ids: [redelivered[0]?.id ?? 0] });
    second.close();
    a.close();
  });

  it('preserves per-recipient order across batches, senders, and reconnects', async () => {
    const a = await alice.online();
    const c = await carol.online();
    const sendAll = async (from: Connection, prefix: string) => {
      for (let batch = 0; batch < 20; batch++) {
        const size = 1 + (batch % 7);
        await send(from, bob, Array.from({ length: size }, (_, i) => `${prefix}-${batch}-${i}`));
      }
    };
    const sending = Promise.all([sendAll(a, 'a'), sendAll(c, 'c')]);
    // Bob comes online half-way through, drops once, and comes back.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const early = await bob.online();
    await new Promise((resolve) => setTimeout(resolve, 30));
    early.close();
    await sending;
    const late = await bob.online();
    const total = 2 * Array.from({ length: 20 }, (_, batch) => 1 + (batch % 7)).reduce((x, y) => x + y, 0);
    const received = await late.waitForDeliveries(total);
    // One connection sees every unacknowledged envelope exactly once, in relay order.
    const ids = received.map((envelope) => envelope.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(new Set(ids).size).toBe(total);
    for (const prefix of ['a', 'c']) {
      const names = received.map((envelope) => envelope.senderMessageId).filter((name) => name.startsWith(`${prefix}-`));
      const expected = Array.from({ length: 20 }, (_, batch) => Array.from({ length: 1 + (batch % 7) }, (_, i) => `${prefix}-${batch}-${i}`)).flat();
      expect(names).toEqual(expected);
    }
    await late.request('envelope.ack', { ids });
    late.close();
    a.close();
    c.close();
  });

  it('does not duplicate a resend with the same sender message id, before or after delivery', async () => {
    const a = await alice.online();
    expect((await send(a, bob, ['dup-1']))[0]?.status).toBe('stored');
    expect((await send(a, bob, ['dup-1']))[0]?.status).toBe('duplicate');
    const b = await bob.online();
    const [delivered] = await b.waitForDeliveries(1);
    await b.request('envelope.ack', { ids: [delivered?.id ?? 0] });
    expect((await send(a, bob, ['dup-1']))[0]?.status).toBe('duplicate');
    // The same id from another sender, or to another device, is a different message.
    const c = await carol.online();
    expect((await send(c, bob, ['dup-1']))[0]?.status).toBe('stored');
    expect((await send(a, carol, ['dup-1']))[0]?.status).toBe('stored');
    await b.waitForDeliveries(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.delivered.map((envelope) => envelope.senderDeviceId)).toEqual([alice.deviceId, carol.deviceId]);
    await b.request('envelope.ack', { ids: b.delivered.map((envelope) => envelope.id) });
    await c.request('envelope.ack', { ids: (await c.waitForDeliveries(1)).map((envelope) => envelope.id) });
    for (const connection of [a, b, c]) connection.close();
  });

  it('never lets a device read or acknowledge another device\'s queue', async () => {
    const a = await alice.online();
    await send(a, bob, ['private-1']);
    const b = await bob.online();
    const [mine] = await b.waitForDeliveries(1);
    b.close();
    const c = await carol.online();
    expect(await c.request('envelope.ack', { ids: [mine?.id ?? 0] })).toEqual({ ok: true, acked: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(c.delivered).toHaveLength(0);
    c.close();
    const back = await bob.online();
    expect((await back.waitForDeliveries(1))[0]?.senderMessageId).toBe('private-1');
    await back.request('envelope.ack', { ids: [mine?.id ?? 0] });
    back.close();
    a.close();
  });

  it('refuses an oversized envelope with a clear error, stores nothing of that batch, and keeps the socket working', async () => {
    const a = await alice.online();
    const limit = 256 * 1024;
    const big = randomBytes(limit + 1).toString('base64');
    const refused = await a.request('envelope.send', {
      envelopes: [
        { to: bob.deviceId, senderMessageId: 'ok-in-bad-batch', payload: payload() },
        { to: bob.deviceId, senderMessageId: 'too-big', payload: big },
      ],
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'envelope_too_large', message: expect.stringContaining('envelopes[1]') } });
    // Without an ack callback the refusal arrives as a relay.error event.
    const event = a.next('relay.error');
    a.socket.emit('envelope.send', { envelopes: [{ to: bob.deviceId, senderMessageId: 'x', payload: big }] });
    expect(await event).toMatchObject({ event: 'envelope.send', error: { code: 'envelope_too_large' } });
    // Exactly at the limit is fine, and the first envelope of the refused batch was not stored.
    const exact = randomBytes(limit).toString('base64');
    const accepted = await send(a, bob, ['ok-in-bad-batch']);
    expect(accepted[0]?.status).toBe('stored');
    expect(await a.request('envelope.send', { envelopes: [{ to: bob.deviceId, senderMessageId: 'exact', payload: exact }] })).toMatchObject({
      ok: true,
      results: [{ status: 'stored' }],
    });
    const b = await bob.online();
    const delivered = await b.waitForDeliveries(2);
    expect(delivered.map((envelope) => envelope.senderMessageId)).toEqual(['ok-in-bad-batch', 'exact']);
    await b.request('envelope.ack', { ids: delivered.map((envelope) => envelope.id) });
    b.close();
    a.close();
  });

  it('refuses malformed payloads field by field and stays connected', async () => {
    const a = await alice.online();
    const cases: unknown[][] = [
      [{}],
      ['a string'],
      [{ envelopes: [] }],
      [{ envelopes: [{ to: 'not-a-device', senderMessageId: 'x', payload: 'AAAA' }] }],
      [{ envelopes: [{ to: bob.deviceId, senderMessageId: 'x', payload: 'not base64!' }] }],
      [{ envelopes: [{ to: bob.deviceId, senderMessageId: '', payload: 'AAAA' }] }],
      [{ envelopes: [{ to: bob.deviceId, senderMessageId: 'x', payload: 'AAAA', extra: 1 }] }],
      [{ envelopes: [{ to: bob.deviceId, senderMessageId: 'x', payload: 'AAAA' }] }, 'second argument'],
      [{ envelopes: Array.from({ length: 257 }, (_, i) => ({ to: bob.deviceId, senderMessageId: `x${i}`, payload: 'AAAA' })) }],
    ];
    for (const args of cases) {
      expect(await a.raw('envelope.send', ...args)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(await a.raw('envelope.ack', { ids: [-1] })).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('ids.0') } });
    expect(a.socket.connected).toBe(true);
    expect((await send(a, carol, ['after-malformed']))[0]?.status).toBe('stored');
    a.close();
  });

  it('never writes payloads, keys or codes to its logs', () => {
    const logs = relay.output();
    expect(logs).toContain('relay listening');
    for (const secret of [...sentPayloads, ...[alice, bob, carol].map((device) => Buffer.from(device.identityKey).toString('base64'))]) {
      expect(logs).not.toContain(secret.slice(0, 40));
    }
  });
});

describe('limits', () => {
  let limited: RelayProcess;
  let sender: TestDevice;
  let receivers: TestDevice[];

  beforeAll(async () => {
    limited = await startRelay({ args: ['--queue-cap', '5', '--rate-envelopes', '1', '--rate-burst', '12'] });
    const code = async (name: string) => (await addUser(limited.dataDir, name, name)).code;
    sender = await enrolledDevice(limited.url, await code('sender'));
    receivers = [await enrolledDevice(limited.url, await code('full')), await enrolledDevice(limited.url, await code('roomy'))];
  });
  afterAll(async () => {
    await limited.kill();
  });

  it('caps each device queue without affecting other recipients, and rate-limits each sender', async () => {
    const [full, roomy] = receivers as [TestDevice, TestDevice];
    const s = await sender.online();
    const results = await send(s, full, ['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    expect(results.map((result) => result.error ?? result.status)).toEqual(['stored', 'stored', 'stored', 'stored', 'stored', 'queue_full']);
    // A resend of something already queued is still reported as a duplicate, not a refusal.
    expect((await send(s, full, ['q5']))[0]?.status).toBe('duplicate');
    expect((await send(s, roomy, ['r1']))[0]?.status).toBe('stored');

    // 8 envelopes used of a burst of 12: a batch of 5 exceeds the allowance and is refused whole.
    const limitedSend = await s.request('envelope.send', {
      envelopes: Array.from({ length: 5 }, (_, i) => ({ to: roomy.deviceId, senderMessageId: `burst-${i}`, payload: 'AAAA' })),
    });
    expect(limitedSend).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    if (limitedSend.ok) throw new Error('unreachable');
    await new Promise((resolve) => setTimeout(resolve, (limitedSend.error.retryAfterMs ?? 0) + 50));
    expect((await send(s, roomy, ['after-wait']))[0]?.status).toBe('stored');

    // Draining the full queue makes room again.
    const f = await full.online();
    const queued = await f.waitForDeliveries(5);
    await f.request('envelope.ack', { ids: queued.map((envelope) => envelope.id) });
    expect((await send(s, full, ['q6']))[0]?.status).toBe('stored');
    f.close();
    s.close();
  });
});
