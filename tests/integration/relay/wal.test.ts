import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrolledDevice, randomB64 } from './support/device';
import { addUser, startRelay, tempDataDir, type RelayProcess } from './support/relay-process';

let relay: RelayProcess | undefined;

afterEach(async () => {
  await relay?.kill();
});

const MiB = 1024 * 1024;

describe('the relay WAL', () => {
  it('stays short under traffic that never pauses: the writer lets the log rewind when the checkpoint thread asks', async () => {
    const dataDir = tempDataDir();
    relay = await startRelay({ dataDir, args: ['--rate-requests', '100000', '--rate-envelopes', '100000', '--rate-burst', '100000'] });
    const alice = await enrolledDevice(relay.url, (await addUser(dataDir, 'alice', 'Dr Alice')).code);
    const bob = await enrolledDevice(relay.url, (await addUser(dataDir, 'bob', 'Dr Bob')).code);
    const a = await alice.online();
    const b = await bob.online();
    b.socket.on('envelope.deliver', ({ envelopes }: { envelopes: { id: number }[] }) => {
      void b.request('envelope.ack', { ids: envelopes.map((envelope) => envelope.id) }).catch(() => undefined);
    });
    const wal = join(dataDir, 'relay.db-wal');
    let longest = 0;
    const watch = setInterval(() => {
      if (existsSync(wal)) longest = Math.max(longest, statSync(wal).size);
    }, 10);
    // ~120 MiB of envelopes, six requests always in flight: the writer commits batch after batch.
    const payload = randomB64(96 * 1024);
    let stored = 0;
    const pump = async (prefix: string) => {
      for (let n = 0; n < 27; n++) {
        const result = await a.request('envelope.send', {
          envelopes: Array.from({ length: 8 }, (_, i) => ({ to: bob.deviceId, senderMessageId: `${prefix}-${n}-${i}`, payload })),
        });
        if (result.ok) stored += result.results.filter((item: { status: string }) => item.status === 'stored').length;
      }
    };
    await Promise.all(['p', 'q', 'r', 's', 't', 'u'].map(pump));
    clearInterval(watch);
    expect(stored).toBe(6 * 27 * 8);
    // Without the rewind the log holds every frame written: well over 120 MiB.
    expect(longest).toBeLessThan(64 * MiB);
    a.close();
    b.close();
  });
});
