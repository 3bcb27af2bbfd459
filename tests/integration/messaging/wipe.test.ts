import { ed25519 } from '@noble/curves/ed25519.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../protocol/relay';
import { signWipeOrder } from '../../../protocol/wipe';
import { readAccessLog } from '../../../main/core/workstation';
import { addUser, cli, startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';

/**
 * Remote wipe: when IT revokes a device or disables a user, the relay sends the device a wipe order
 * signed with the directory key; the device verifies it against the key it pinned and crypto-erases
 * its profile. An order that does not verify is ignored and logged.
 */
let relay: RelayProcess;
const open: Workstation[] = [];
const dirs: { remove(): void }[] = [];

async function enrolled(username: string, name: string, pin: string): Promise<Workstation> {
  const code = await addUser(relay.dataDir, username, name);
  const d = tempDir(`wipe-${username}`);
  dirs.push(d);
  const w = new Workstation(d.dir);
  open.push(w);
  await w.call('profiles.enrol', { relayUrl: relay.url, code: code.code, pin });
  await w.engine.relay.whenAuthenticated();
  return w;
}

beforeAll(async () => {
  relay = await startRelay();
}, 60_000);

afterAll(async () => {
  for (const w of open) await w.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

async function expectWiped(w: Workstation, profileId: string, pin: string): Promise<void> {
  const profile = await eventually('erased tile', async () => (await w.call('profiles.list', {})).find((p) => p.id === profileId && p.state === 'erased'), 20_000);
  expect(profile.erasedReason).toBe('remote_wipe');
  expect(w.core.runtime.current).toBeNull();
  expect(existsSync(join(w.dataDir, 'profiles', profileId, 'store.db'))).toBe(false);
  await expect(w.call('profiles.unlock', { profileId, pin })).rejects.toMatchObject({ code: 'erased' });
  const machineLog = readAccessLog(w.dataDir).entries;
  expect(machineLog.some((e) => e.event === 'erased' && e.profileId === profileId && e.reason === 'remote_wipe')).toBe(true);
}

describe('remote wipe', () => {
  it('erases an open profile when IT revokes its workstation', async () => {
    const alice = await enrolled('aokafor', 'Dr Alice Okafor', '482916');
    const { profileId, account } = { profileId: alice.core.runtime.requireOpen().session.profileId, account: alice.core.runtime.requireOpen().account };
    const locked: string[] = [];
    alice.core.events.on('profiles.locked', (e) => locked.push(e.reason));
    await cli(relay.dataDir, 'device', 'revoke', account.deviceId);
    await expectWiped(alice, profileId, '482916');
    expect(locked).toContain('remote-wipe');
    expect(alice.log.some((l) => l.event === 'wipe.verified')).toBe(true);
  }, 60_000);

  it('erases a locked profile the next time it connects after its user was disabled', async () => {
    const carol = await enrolled('creyes', 'Dr Carol Reyes', '551203');
    const profileId = carol.core.runtime.requireOpen().session.profileId;
    await carol.close();
    await cli(relay.dataDir, 'user', 'disable', 'creyes');
    // Carol unlocks later: the relay refuses the device and hands it its wipe order.
    await carol.call('profiles.unlock', { profileId, pin: '551203' });
    await expectWiped(carol, profileId, '551203');
  }, 60_000);

  it('ignores and logs a wipe order that is not signed by the pinned directory key', async () => {
    const bob = await enrolled('bsingh', 'Nurse Bob Singh', '907311');
    const { account } = bob.core.runtime.requireOpen();
    const forgedKey = ed25519.utils.randomSecretKey();
    const forged = signWipeOrder({ userId: account.userId, deviceId: account.deviceId, reason: 'revoked', issuedAt: Date.now() }, forgedKey);
    // What a hostile relay (or anyone in the middle) could push: a well-formed order under another key.
    (bob.engine.relay as unknown as { dispatchPush(name: string, raw: unknown): void }).dispatchPush('device.revoked', {
      deviceId: account.deviceId,
      reason: 'revoked',
      wipe: encodeBase64(forged),
    });
    await eventually('ignored', () => bob.log.some((l) => l.event === 'wipe.ignored'));
    expect(bob.core.runtime.current).not.toBeNull();
    expect((await bob.call('profiles.list', {})).every((p) => p.state === 'active')).toBe(true);
    expect(bob.store.conversations.list()).toEqual([]);
  }, 60_000);
});
