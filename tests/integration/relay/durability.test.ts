import { afterEach, describe, expect, it } from 'vitest';
import { enrolledDevice, randomB64, type Connection } from './support/device';
import { addUser, startRelay, tempDataDir, type RelayProcess } from './support/relay-process';

let relay: RelayProcess | undefined;

afterEach(async () => {
  await relay?.kill();
});

describe.each(['full', 'normal'])('durability with --sync %s', (sync) => {
  it('loses nothing it acknowledged when killed with SIGKILL mid-traffic', async () => {
    const dataDir = tempDataDir();
    relay = await startRelay({ dataDir, args: ['--sync', sync] });
    const alice = await enrolledDevice(relay.url, (await addUser(dataDir, 'alice', 'Dr Alice')).code);
    const bob = await enrolledDevice(relay.url, (await addUser(dataDir, 'bob', 'Dr Bob')).code);
    const keyBefore = await (await fetch(`${relay.url}/v1/directory-key`)).json();

    const a = await alice.online();
    const b = await bob.online();
    const stored = new Set<string>();
    // Bob acknowledges every other delivery. An ack the relay confirmed means deleted; an ack sent
    // just before the kill may or may not have been committed, so those are allowed either way.
    const attemptedAcks = new Set<string>();
    const confirmedAcks = new Set<string>();
    let sending = true;
    b.socket.on('envelope.deliver', ({ envelopes }: { envelopes: { id: number; senderMessageId: string }[] }) => {
      const chosen = envelopes.filter((envelope) => envelope.id % 2 === 0);
      if (chosen.length === 0) return;
      for (const envelope of chosen) attemptedAcks.add(envelope.senderMessageId);
      void b
        .request('envelope.ack', { ids: chosen.map((envelope) => envelope.id) })
        .then((result) => {
          if (result.ok && result.acked === chosen.length) for (const envelope of chosen) confirmedAcks.add(envelope.senderMessageId);
        })
        .catch(() => undefined);
    });
    const pump = async (connection: Connection, prefix: string) => {
      for (let n = 0; sending; n++) {
        const ids = Array.from({ length: 1 + (n % 4) }, (_, i) => `${prefix}-${n}-${i}`);
        try {
          const result = await connection.request('envelope.send', {
            envelopes: ids.map((id) => ({ to: bob.deviceId, senderMessageId: id, payload: randomB64(200) })),
          });
          if (result.ok) for (const item of result.results) if (item.status === 'stored') stored.add(item.senderMessageId);
        } catch {
          return; // the relay died under us: this batch was never acknowledged
        }
      }
    };
    const pumps = [pump(a, 'p'), pump(a, 'q')];
    while (stored.size < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    await relay.kill('SIGKILL');
    sending = false;
    await Promise.all(pumps);
    const acknowledged = new Set(stored);
    expect(acknowledged.size).toBeGreaterThanOrEqual(300);

    relay = await startRelay({ dataDir, args: ['--sync', sync] });
    expect(await (await fetch(`${relay.url}/v1/directory-key`)).json()).toEqual(keyBefore);
    bob.url = relay.url;
    const after = await bob.online();
    const expected = [...acknowledged].filter((id) => !attemptedAcks.has(id));
    await after.waitForDeliveries(expected.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const received = after.delivered.map((envelope) => envelope.senderMessageId);
    expect(new Set(received).size).toBe(received.length);
    for (const id of expected) expect(received).toContain(id);
    for (const id of received) expect(confirmedAcks.has(id)).toBe(false);
    after.close();
  });
});
