import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledDevice, randomB64, type TestDevice } from './support/device';
import { addUser, startRelay, type RelayProcess } from './support/relay-process';

/**
 * A device that stays connected but acknowledges nothing (its acknowledgements were lost, or it
 * stalled) gets its unacknowledged envelopes again on the same connection once
 * --redeliver-after-ms has passed, so a lost acknowledgement cannot hold its queue until it
 * reconnects; once it acknowledges, nothing comes twice.
 */
let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;

beforeAll(async () => {
  relay = await startRelay({ args: ['--redeliver-after-ms', '1000'] });
  alice = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'alice', 'Dr Alice')).code);
  bob = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'bob', 'Dr Bob')).code);
});
afterAll(async () => {
  await relay.kill();
});

describe('redelivery on a live connection', () => {
  it('pushes again what a connected device left unacknowledged, and stops once it acknowledges', async () => {
    const a = await alice.online();
    const b = await bob.online();
    const ids = ['r-1', 'r-2', 'r-3'];
    const sent = await a.request('envelope.send', { envelopes: ids.map((id) => ({ to: bob.deviceId, senderMessageId: id, payload: randomB64(200) })) });
    expect(sent.ok).toBe(true);
    const first = (await b.waitForDeliveries(3)).slice(0, 3);
    expect(first.map((e) => e.senderMessageId)).toEqual(ids);

    // Nothing acknowledged: the same envelopes, same ids and bytes, come again on this socket.
    const all = await b.waitForDeliveries(6, 10_000);
    expect(all.slice(3, 6)).toEqual(first);
    expect(b.socket.connected).toBe(true);

    expect(await b.request('envelope.ack', { ids: first.map((e) => e.id) })).toEqual({ ok: true, acked: 3 });
    const settled = b.delivered.length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(b.delivered.length).toBe(settled);
    a.close();
    b.close();
  }, 30_000);
});
