import { afterAll, describe, expect, it } from 'vitest';
import { enrolledDevice, randomB64 } from './support/device';
import { addUser, startRelay, tempDataDir, type RelayProcess } from './support/relay-process';

/**
 * The relay keeps what it cannot deliver only as long as the hospital's retention allows: an
 * envelope nobody fetched in time is erased (its payload gone from the database), and its id is
 * kept so a late resend is still recognised as a duplicate.
 */
let relay: RelayProcess | undefined;
afterAll(async () => {
  await relay?.kill();
});

describe('envelope retention', () => {
  it('erases undelivered envelopes past retention and still refuses their resend as a duplicate', async () => {
    const dataDir = tempDataDir();
    relay = await startRelay({ dataDir });
    const alice = await enrolledDevice(relay.url, (await addUser(dataDir, 'alice', 'Dr Alice')).code);
    const bob = await enrolledDevice(relay.url, (await addUser(dataDir, 'bob', 'Dr Bob')).code);
    const sender = await alice.online();
    const old = { to: bob.deviceId, senderMessageId: 'old-1', payload: randomB64(200) };
    expect(await sender.request('envelope.send', { envelopes: [old] })).toMatchObject({ ok: true, results: [{ status: 'stored' }] });
    sender.close();
    await relay.kill();

    // Restart with a retention of ~0.9 s; the sweep at start-up finds the envelope older than that.
    await new Promise((r) => setTimeout(r, 1500));
    relay = await startRelay({ dataDir, args: ['--envelope-retention-days', '0.00001'] });
    alice.url = relay.url;
    bob.url = relay.url;
    const receiver = await bob.online();
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.delivered).toEqual([]);

    const again = await alice.online();
    const resend = await again.request('envelope.send', { envelopes: [old] });
    expect(resend).toMatchObject({ ok: true, results: [{ status: 'duplicate' }] });
    // A new message is still delivered at once.
    const fresh = { to: bob.deviceId, senderMessageId: 'new-1', payload: randomB64(200) };
    expect(await again.request('envelope.send', { envelopes: [fresh] })).toMatchObject({ ok: true, results: [{ status: 'stored' }] });
    const got = await receiver.waitForDeliveries(1);
    expect(got.map((e) => e.senderMessageId)).toEqual(['new-1']);
    receiver.close();
    again.close();
  }, 60_000);
});
