import { randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  acceptIntoRecord,
  bundleFor,
  decryptWithRecord,
  deserializeSessionRecord,
  encryptMessage,
  generateDeviceKeys,
  initiateSession,
  serializeSession,
  serializeSessionRecord,
  type DeviceKeys,
  type SessionRecord,
} from '../../../main/core/crypto';

const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

function start(from: DeviceKeys, to: DeviceKeys): SessionRecord {
  const choice = { oneTimePreKeyId: [...to.oneTimePreKeys.keys()][0], pqPreKeyId: [...to.oneTimePqPreKeys.keys()][0] };
  return { current: initiateSession(from.identity, bundleFor(to, choice), to.identity.publicKey, randomBytes), previous: [] };
}

describe('session records: every session kept with one device', () => {
  it('lets two devices that start sessions with each other at once lose no message and settle on one session', () => {
    let alice = generateDeviceKeys(randomBytes, { oneTimePreKeys: 2, oneTimePqPreKeys: 2 });
    let bob = generateDeviceKeys(randomBytes, { oneTimePreKeys: 2, oneTimePqPreKeys: 2 });
    // Both start at the same moment and each seals a message before hearing from the other.
    let a = start(alice, bob);
    let b = start(bob, alice);
    const a1 = encryptMessage(a.current, text('a1'), randomBytes);
    a = { ...a, current: a1.session };
    const b1 = encryptMessage(b.current, text('b1'), randomBytes);
    b = { ...b, current: b1.session };
    // Each accepts the other's initial message: that session becomes current, its own is kept.
    const atBob = acceptIntoRecord(bob, a1.message, alice.identity.publicKey, b);
    bob = atBob.deviceKeys;
    b = atBob.record;
    const atAlice = acceptIntoRecord(alice, b1.message, bob.identity.publicKey, a);
    alice = atAlice.deviceKeys;
    a = atAlice.record;
    expect([read(atBob.plaintext), read(atAlice.plaintext)]).toEqual(['a1', 'b1']);
    expect(a.previous).toHaveLength(1);
    // Alice answers in Bob's session; Bob's current is Alice's: the earlier one opens it.
    const a2 = encryptMessage(a.current, text('a2'), randomBytes);
    a = { ...a, current: a2.session };
    const got = decryptWithRecord(b, a2.message);
    expect(read(got.plaintext)).toBe('a2');
    b = got.record;
    // ...and became current, so both now use the session Bob started.
    expect(b.current.baseKey).toEqual(a.current.baseKey);
    const b2 = encryptMessage(b.current, text('b2'), randomBytes);
    expect(read(decryptWithRecord(a, b2.message).plaintext)).toBe('b2');
  });

  it('round-trips, reads a bare session as a record, and refuses a damaged or oversized one', () => {
    const alice = generateDeviceKeys(randomBytes, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const bob = generateDeviceKeys(randomBytes, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const r = start(alice, bob);
    const withPrevious = { current: r.current, previous: [start(alice, bob).current] };
    const bytes = serializeSessionRecord(withPrevious);
    expect(serializeSessionRecord(deserializeSessionRecord(bytes))).toEqual(bytes);
    expect(deserializeSessionRecord(serializeSession(r.current)).previous).toEqual([]);
    const damaged = bytes.slice();
    damaged[2] = 9; // count
    expect(() => deserializeSessionRecord(damaged)).toThrow(/sessions|malformed/);
    expect(() => deserializeSessionRecord(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated|malformed/);
  });

  it('throws the current session\'s error and changes nothing when no kept session opens a message', () => {
    const alice = generateDeviceKeys(randomBytes, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const bob = generateDeviceKeys(randomBytes, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const a = start(alice, bob);
    const first = encryptMessage(a.current, text('x'), randomBytes);
    const accepted = acceptIntoRecord(bob, first.message, alice.identity.publicKey, null);
    const reply = encryptMessage(accepted.record.current, text('y'), randomBytes);
    const tampered = reply.message.slice();
    tampered[tampered.length - 1]! ^= 1;
    const before = serializeSessionRecord({ current: first.session, previous: [] });
    expect(() => decryptWithRecord({ current: first.session, previous: [] }, tampered)).toThrow(/authentication/);
    expect(serializeSessionRecord({ current: first.session, previous: [] })).toEqual(before);
  });
});
