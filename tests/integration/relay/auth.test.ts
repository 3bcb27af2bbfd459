import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { authChallengeMessage } from '../../../protocol/relay';
import { verifyWipeOrder } from '../../../protocol/wipe';
import { b64, enrolledDevice, randomB64, type TestDevice } from './support/device';
import { addUser, cli, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;

beforeAll(async () => {
  relay = await startRelay({ args: ['--auth-timeout-ms', '2000'] });
  alice = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'alice', 'Dr Alice')).code);
  bob = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'bob', 'Dr Bob')).code);
});
afterAll(async () => {
  await relay.kill();
});

const envelope = (to: string, id: string) => ({ envelopes: [{ to, senderMessageId: id, payload: randomB64(40) }] });

describe('authentication', () => {
  it('authenticates a device that signs the fresh challenge with its identity key', async () => {
    const connection = await alice.connect();
    expect(Buffer.from(connection.challenge.nonce, 'base64')).toHaveLength(32);
    expect(connection.challenge.origin).toBe(relay.url);
    const result = await connection.request('auth.prove', { deviceId: alice.deviceId, signature: alice.sign(connection.challenge.nonce) });
    expect(result).toMatchObject({ ok: true, deviceId: alice.deviceId, userId: alice.enrolment?.userId, prekeys: { oneTimePrekeys: 5, pqOneTimePrekeys: 5 } });
    // Answering twice on one socket is refused.
    const again = await connection.request('auth.prove', { deviceId: alice.deviceId, signature: alice.sign(connection.challenge.nonce) });
    expect(again).toMatchObject({ ok: false, error: { code: 'already_authenticated' } });
    connection.close();
  });

  it('gives an unauthenticated socket nothing but the challenge, then closes it', async () => {
    // Something is waiting in bob's queue.
    const sender = await alice.online();
    expect(await sender.request('envelope.send', envelope(bob.deviceId, 'pre-auth-1'))).toMatchObject({ ok: true });

    const intruder = await bob.connect();
    const closed = intruder.disconnected();
    const search = await intruder.request('directory.search', { query: 'a' });
    expect(search).toEqual({ ok: false, error: { code: 'unauthenticated', message: expect.any(String) } });
    expect(await intruder.request('prekeys.bundle', { deviceIds: [alice.deviceId] })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await intruder.request('envelope.ack', { ids: [1] })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await intruder.request('envelope.send', envelope(alice.deviceId, 'x'))).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await intruder.raw('no.such.event', {})).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    await closed; // the fifth refused event closes the socket
    expect(intruder.pushes.map((push) => push.event)).toEqual(['auth.challenge']);
    sender.close();
  });

  it('refuses a forged device id: a valid signature by one device claiming another', async () => {
    const connection = await alice.connect();
    const closed = connection.disconnected();
    const forged = await connection.request('auth.prove', { deviceId: bob.deviceId, signature: alice.sign(connection.challenge.nonce, bob.deviceId) });
    expect(forged).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    await closed;
    expect(connection.delivered).toHaveLength(0);
  });

  it('refuses a replayed challenge answer on a new socket, and an answer bound to another relay origin', async () => {
    const first = await alice.connect();
    const answer = { deviceId: alice.deviceId, signature: alice.sign(first.challenge.nonce) };
    expect(await first.request('auth.prove', answer)).toMatchObject({ ok: true });
    first.close();

    const second = await alice.connect();
    expect(await second.request('auth.prove', answer)).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    await second.disconnected();

    const third = await alice.connect();
    const elsewhere = authChallengeMessage('https://evil.example', alice.deviceId, Buffer.from(third.challenge.nonce, 'base64'));
    const wrongOrigin = await third.request('auth.prove', { deviceId: alice.deviceId, signature: b64(ed25519.sign(elsewhere, alice.secretKey)) });
    expect(wrongOrigin).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
  });

  it('closes a socket that does not authenticate within the timeout', async () => {
    const idle = await alice.connect();
    const started = Date.now();
    await idle.disconnected();
    expect(Date.now() - started).toBeGreaterThan(1000);
  });

  it('keeps one socket per device: a new login replaces the old socket', async () => {
    const old = await alice.online();
    const replaced = old.next('session.replaced');
    const fresh = await alice.online();
    await replaced;
    await old.disconnected();
    expect(fresh.socket.connected).toBe(true);
    fresh.close();
  });

  /** The pushed wipe order must verify under the directory key the device was enrolled with. */
  function wipeOrderOf(push: { wipe?: string }, device: TestDevice) {
    expect(push.wipe).toBeTypeOf('string');
    const directoryKey = Buffer.from(device.enrolment?.directoryKey ?? '', 'base64');
    return verifyWipeOrder(Buffer.from(push.wipe ?? '', 'base64'), directoryKey, { userId: device.enrolment?.userId ?? '', deviceId: device.deviceId });
  }

  it('disconnects a revoked device at once; it cannot reconnect and nobody can reach it', async () => {
    const carol = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'carol', 'Nurse Carol')).code);
    const connection = await carol.online();
    const notice = connection.next('device.revoked');
    const closed = connection.disconnected();
    await cli(relay.dataDir, 'device', 'revoke', carol.deviceId);
    const revoked = await notice;
    expect(revoked).toMatchObject({ deviceId: carol.deviceId, reason: 'revoked' });
    expect(wipeOrderOf(revoked, carol)).toMatchObject({ deviceId: carol.deviceId, userId: carol.enrolment?.userId, reason: 'revoked' });
    await closed;

    // Reconnecting and proving the key only earns the refusal and the wipe order again.
    const retry = await carol.connect();
    const again = retry.next('device.revoked');
    expect(await retry.request('auth.prove', { deviceId: carol.deviceId, signature: carol.sign(retry.challenge.nonce) })).toMatchObject({
      ok: false,
      error: { code: 'device_revoked' },
    });
    expect(wipeOrderOf(await again, carol).reason).toBe('revoked');
    // Without the device's key nothing is handed out.
    const stranger = await carol.connect();
    await stranger.request('auth.prove', { deviceId: carol.deviceId, signature: alice.sign(stranger.challenge.nonce, carol.deviceId) });
    expect(stranger.pushes.map((p) => p.event)).not.toContain('device.revoked');

    const sender = await alice.online();
    const send = await sender.request('envelope.send', envelope(carol.deviceId, 'to-revoked'));
    expect(send).toMatchObject({ ok: true, results: [{ status: 'rejected', error: 'unknown_device' }] });
    const devices = await sender.request('directory.devices', { userId: carol.enrolment?.userId ?? '' });
    expect(devices).toMatchObject({ ok: true, devices: [] });
    sender.close();
  });

  it('disconnects every device of a disabled user and refuses them afterwards', async () => {
    const dan = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'dan', 'Dr Dan')).code);
    const connection = await dan.online();
    const notice = connection.next('device.revoked');
    await cli(relay.dataDir, 'user', 'disable', 'dan');
    const disabled = await notice;
    expect(disabled).toMatchObject({ deviceId: dan.deviceId, reason: 'user_disabled' });
    expect(wipeOrderOf(disabled, dan).reason).toBe('user_disabled');
    const retry = await dan.connect();
    expect(await retry.request('auth.prove', { deviceId: dan.deviceId, signature: dan.sign(retry.challenge.nonce) })).toMatchObject({
      ok: false,
      error: { code: 'user_disabled' },
    });
  });
});
