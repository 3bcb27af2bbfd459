import { afterAll, describe, expect, it } from 'vitest';
import { enrolledDevice } from '../relay/support/device';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';

/**
 * A workstation keeps its one-time prekeys stocked on the relay: when colleagues' session set-ups
 * use them up and the relay says they run low, it makes, stores and uploads new ones.
 */
let relay: RelayProcess | undefined;
let bob: Workstation | undefined;
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  await bob?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

describe('prekeys', () => {
  it('replenishes one-time prekeys after the relay reports them low', async () => {
    relay = await startRelay();
    const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
    const d = tempDir('prekeys-bob');
    dirs.push(d);
    bob = new Workstation(d.dir);
    await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
    await bob.engine.relay.whenAuthenticated();
    const start = await bob.engine.relay.request('prekeys.status', {});
    expect(start.prekeys.oneTimePrekeys).toBe(100);

    // Another device fetches Bob's bundle again and again, each fetch consuming one one-time prekey.
    const fetcherCode = await addUser(relay.dataDir, 'fetcher', 'Colleague');
    const fetcher = await (await enrolledDevice(relay.url, fetcherCode.code)).online();
    const bobDevice = bob.core.runtime.requireOpen().account.deviceId;
    for (let i = 0; i < 85; i++) {
      const answer = await fetcher.request('prekeys.bundle', { deviceIds: [bobDevice] });
      expect(answer.ok).toBe(true);
    }
    // Without replenishment 85 fetches leave 15 classic and 0 post-quantum one-time prekeys; the
    // workstation topped both up when the count crossed the relay's threshold (a few fetches
    // after that used some of the new ones).
    const after = await eventually('replenished', async () => {
      const counts = (await bob!.engine.relay.request('prekeys.status', {})).prekeys;
      return counts.oneTimePrekeys > 80 && counts.pqOneTimePrekeys > 10 ? counts : false;
    }, 30_000);
    expect(after.oneTimePrekeys).toBeLessThanOrEqual(100);
  }, 120_000);
});
