import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  formatSafetyNumber,
  generateIdentityKeyPair,
  matchesScannedSafetyNumber,
  safetyNumber,
} from '../../../main/core/crypto/index';
import { expectCryptoError, seededRng, text } from './helpers';

const rng = seededRng('fingerprint');
const alice = { identityKey: generateIdentityKeyPair(rng).publicKey, stableId: text('user-alice') };
const bob = { identityKey: generateIdentityKeyPair(rng).publicKey, stableId: text('user-bob') };

describe('safety numbers', () => {
  const mine = safetyNumber(alice, bob);
  const theirs = safetyNumber(bob, alice);

  it('are 60 digits, the same whoever computes them, and shown in 12 groups of 5', () => {
    expect(mine.digits).toMatch(/^\d{60}$/);
    expect(theirs.digits).toBe(mine.digits);
    expect(theirs.qrPayload).toEqual(mine.qrPayload);
    expect(formatSafetyNumber(mine.digits).split(' ')).toHaveLength(12);
  });

  it('match a scan of the peer, and not of anyone else', () => {
    expect(matchesScannedSafetyNumber(mine, theirs.qrPayload)).toBe(true);
    const mallory = { identityKey: generateIdentityKeyPair(rng).publicKey, stableId: text('user-bob') };
    const other = safetyNumber(alice, mallory);
    expect(other.digits).not.toBe(mine.digits);
    expect(matchesScannedSafetyNumber(mine, other.qrPayload)).toBe(false);
  });

  it('change when the stable id changes', () => {
    expect(safetyNumber(alice, { ...bob, stableId: text('user-carol') }).digits).not.toBe(mine.digits);
  });

  it('refuse malformed scans and invalid keys with typed errors', () => {
    expectCryptoError(() => matchesScannedSafetyNumber(mine, mine.qrPayload.subarray(0, 10)), 'malformed');
    expectCryptoError(() => matchesScannedSafetyNumber(mine, Uint8Array.of(9, 6)), 'unsupported_version');
    expect(() => safetyNumber(alice, { identityKey: new Uint8Array(31) })).toThrow(CryptoError);
  });
});

describe('safety numbers for people with several workstations', () => {
  const key = () => generateIdentityKeyPair(rng).publicKey;

  it('are the same whoever computes them and whatever order the devices are listed in', () => {
    const [a1, a2, b1] = [key(), key(), key()];
    const one = safetyNumber({ identityKey: [a1, a2], stableId: text('alice') }, { identityKey: [b1], stableId: text('bob') });
    expect(safetyNumber({ identityKey: [b1], stableId: text('bob') }, { identityKey: [a2, a1], stableId: text('alice') })).toEqual(one);
    expect(one.digits).toMatch(/^\d{60}$/);
  });

  it('change when a workstation is added, and refuse duplicate or missing keys', () => {
    const [a1, a2] = [key(), key()];
    const bob = { identityKey: key() };
    expect(safetyNumber({ identityKey: [a1] }, bob).digits).toBe(safetyNumber({ identityKey: a1 }, bob).digits);
    expect(safetyNumber({ identityKey: [a1, a2] }, bob).digits).not.toBe(safetyNumber({ identityKey: [a1] }, bob).digits);
    expect(() => safetyNumber({ identityKey: [a1, a1] }, bob)).toThrow(CryptoError);
    expect(() => safetyNumber({ identityKey: [] }, bob)).toThrow(CryptoError);
  });
});
