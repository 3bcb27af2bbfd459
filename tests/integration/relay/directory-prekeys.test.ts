import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { verifyDeviceCertificate } from '../../../protocol/certificate';
import { enrolledDevice, prekey, randomB64, type Connection, type TestDevice } from './support/device';
import { addUser, cli, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;
let asker: Connection;

beforeAll(async () => {
  relay = await startRelay();
  alice = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'alice', 'Dr Alice Smith')).code);
  bob = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'bob', 'Dr Bob Jones')).code, 21);
  await addUser(relay.dataDir, 'alina', 'Alina 100% Nurse');
  asker = await alice.online();
});
afterAll(async () => {
  asker.close();
  await relay.kill();
});

describe('directory', () => {
  it('searches users by name, case-insensitively, treating wildcards literally', async () => {
    const byName = await asker.request('directory.search', { query: 'SMITH' });
    expect(byName).toMatchObject({ ok: true, users: [{ username: 'alice', displayName: 'Dr Alice Smith', userId: alice.enrolment?.userId }] });
    const byPrefix = await asker.request('directory.search', { query: 'ali' });
    expect(byPrefix.ok && byPrefix.users.map((user) => user.username).sort()).toEqual(['alice', 'alina']);
    const wildcard = await asker.request('directory.search', { query: '%' });
    expect(wildcard.ok && wildcard.users.map((user) => user.username)).toEqual(['alina']);
    expect(await asker.request('directory.search', { query: '' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('lists a user\'s active devices with certificates that verify under the directory key', async () => {
    const key = Buffer.from(((await (await fetch(`${relay.url}/v1/directory-key`)).json()) as { publicKey: string }).publicKey, 'base64');
    const result = await asker.request('directory.devices', { userId: bob.enrolment?.userId ?? '' });
    if (!result.ok) throw new Error(result.error.code);
    expect(result.devices).toHaveLength(1);
    const [device] = result.devices;
    expect(device?.deviceId).toBe(bob.deviceId);
    verifyDeviceCertificate(Buffer.from(device?.certificate ?? '', 'base64'), key, {
      userId: bob.enrolment?.userId,
      deviceId: bob.deviceId,
      identityKey: bob.identityKey,
    });
    expect(await asker.request('directory.devices', { userId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'unknown_user' } });
  });

  it('hides disabled users from search', async () => {
    await addUser(relay.dataDir, 'zed', 'Zed Retired');
    expect(await asker.request('directory.search', { query: 'retired' })).toMatchObject({ ok: true, users: [{ username: 'zed' }] });
    await cli(relay.dataDir, 'user', 'disable', 'zed');
    expect(await asker.request('directory.search', { query: 'retired' })).toMatchObject({ ok: true, users: [] });
  });
});

describe('prekeys', () => {
  it('hands each one-time prekey to exactly one fetcher, then falls back to the last-resort PQ key', async () => {
    const carol = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'carol', 'Nurse Carol')).code, 5);
    const other = await bob.online();
    // Seven fetches racing on two sockets for five one-time keys.
    const fetches = await Promise.all(
      Array.from({ length: 7 }, (_, i) => (i % 2 ? other : asker).request('prekeys.bundle', { deviceIds: [carol.deviceId] })),
    );
    const bundles = fetches.map((fetch) => {
      if (!fetch.ok) throw new Error(fetch.error.code);
      return fetch.bundles[0];
    });
    const oneTime = bundles.map((bundle) => bundle?.oneTimePrekey?.id ?? null);
    expect(oneTime.filter((id) => id !== null).sort()).toEqual([100, 101, 102, 103, 104]);
    expect(oneTime.filter((id) => id === null)).toHaveLength(2);
    const pq = bundles.filter((bundle) => bundle?.pqPrekeyIsLastResort === false).map((bundle) => bundle?.pqPrekey.id);
    expect(pq.sort()).toEqual([200, 201, 202, 203, 204]);
    const fallback = bundles.filter((bundle) => bundle?.pqPrekeyIsLastResort === true);
    expect(fallback).toHaveLength(2);
    expect(fallback[0]?.pqPrekey.id).toBe(1);
    expect(bundles[0]).toMatchObject({ deviceId: carol.deviceId, userId: carol.enrolment?.userId, signedPrekey: { id: 1 }, certificate: carol.enrolment?.certificate });
    other.close();
  });

  it('reports unknown devices as missing', async () => {
    const unknown = randomUUID();
    expect(await asker.request('prekeys.bundle', { deviceIds: [unknown] })).toMatchObject({ ok: true, bundles: [], missing: [unknown] });
  });

  it('tells a device when its one-time prekeys fall below the threshold, and takes uploads', async () => {
    const connection = await bob.online();
    expect(connection.pushes.some((push) => push.event === 'prekeys.low')).toBe(false); // 21 >= 20
    const low = connection.next('prekeys.low');
    await asker.request('prekeys.bundle', { deviceIds: [bob.deviceId] });
    await asker.request('prekeys.bundle', { deviceIds: [bob.deviceId] });
    expect(await low).toEqual({ oneTimePrekeys: 19, pqOneTimePrekeys: 19, lowThreshold: 20 });

    const upload = await connection.request('prekeys.upload', {
      signedPrekey: prekey(2),
      oneTimePrekeys: Array.from({ length: 10 }, (_, i) => ({ id: 500 + i, publicKey: randomB64(32) })),
      pqOneTimePrekeys: [prekey(600, 1569), prekey(600, 1569)], // the duplicate id is ignored
    });
    expect(upload).toEqual({ ok: true, prekeys: { oneTimePrekeys: 29, pqOneTimePrekeys: 20, lowThreshold: 20 } });
    const bundle = await asker.request('prekeys.bundle', { deviceIds: [bob.deviceId] });
    expect(bundle.ok && bundle.bundles[0]?.signedPrekey.id).toBe(2);

    // Fill up to the per-device cap of 1000 unused one-time prekeys (28 are stored now).
    let stored = 28;
    for (let next = 3000; stored < 1000; next += 200) {
      const count = Math.min(200, 1000 - stored);
      const filled = await connection.request('prekeys.upload', {
        oneTimePrekeys: Array.from({ length: count }, (_, i) => ({ id: next + i, publicKey: randomB64(32) })),
      });
      expect(filled).toMatchObject({ ok: true, prekeys: { oneTimePrekeys: stored + count } });
      stored += count;
    }
    const refused = await connection.request('prekeys.upload', { oneTimePrekeys: [{ id: 9999, publicKey: randomB64(32) }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } });
    expect(await connection.request('prekeys.status', {})).toMatchObject({ ok: true, prekeys: { oneTimePrekeys: 1000 } });
    connection.close();
  });
});
