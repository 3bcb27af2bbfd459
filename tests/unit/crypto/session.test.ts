import { describe, expect, it } from 'vitest';
import {
  acceptInitialMessage,
  bundleFor,
  decryptMessage,
  deserializeSession,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  initiateSession,
  MAX_PLAINTEXT_LENGTH,
  messageKind,
  serializeSession,
  type Session,
} from '../../../main/core/crypto/index';
import { establish, expectCryptoError, seededRng, snapshot, str, text } from './helpers';

describe('session round trips', () => {
  it('carries messages both ways through many DH ratchet steps', () => {
    const rng = seededRng('both-ways');
    let { alice, bob } = establish(rng);
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 3; i++) {
        const sent = encryptMessage(alice, text(`a${round}.${i}`), rng);
        alice = sent.session;
        const got = decryptMessage(bob, sent.message);
        bob = got.session;
        expect(str(got.plaintext)).toBe(`a${round}.${i}`);
      }
      const reply = encryptMessage(bob, text(`b${round}`), rng);
      bob = reply.session;
      const got = decryptMessage(alice, reply.message);
      alice = got.session;
      expect(str(got.plaintext)).toBe(`b${round}`);
    }
  });

  it('repeats the PQXDH fields until the responder replies, then sends ratchet messages', () => {
    const rng = seededRng('pending');
    const aliceId = generateIdentityKeyPair(rng);
    const device = generateDeviceKeys(rng, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    let alice = initiateSession(aliceId, bundleFor(device, { oneTimePreKeyId: [...device.oneTimePreKeys.keys()][0], pqPreKeyId: [...device.oneTimePqPreKeys.keys()][0] }), device.identity.publicKey, rng);
    const first = encryptMessage(alice, text('one'), rng);
    const second = encryptMessage(first.session, text('two'), rng);
    alice = second.session;
    expect(messageKind(first.message)).toBe('initial');
    expect(messageKind(second.message)).toBe('initial');

    // The second arrives first: it opens the session; the first then continues that session.
    const a = acceptInitialMessage(device, second.message, aliceId.publicKey);
    expect(a.isNewSession).toBe(true);
    expect(str(a.plaintext)).toBe('two');
    const b = acceptInitialMessage(a.deviceKeys, first.message, aliceId.publicKey, a.session);
    expect(b.isNewSession).toBe(false);
    expect(b.deviceKeys).toBe(a.deviceKeys);
    expect(str(b.plaintext)).toBe('one');

    const reply = encryptMessage(b.session, text('back'), rng);
    expect(messageKind(reply.message)).toBe('ratchet');
    alice = decryptMessage(alice, reply.message).session;
    expect(alice.pendingPreKey).toBeNull();
    expect(messageKind(encryptMessage(alice, text('three'), rng).message)).toBe('ratchet');
  });

  it('works without a one-time prekey, on the last-resort PQ prekey', () => {
    const rng = seededRng('last-resort');
    const aliceId = generateIdentityKeyPair(rng);
    const device = generateDeviceKeys(rng, { oneTimePreKeys: 0, oneTimePqPreKeys: 0 });
    const bundle = bundleFor(device);
    expect(bundle.oneTimePreKey).toBeUndefined();
    const sent = encryptMessage(initiateSession(aliceId, bundle, device.identity.publicKey, rng), text('hi'), rng);
    const accepted = acceptInitialMessage(device, sent.message, aliceId.publicKey);
    expect(str(accepted.plaintext)).toBe('hi');
    // Nothing one-time was used, so the base key is remembered to refuse a replay.
    expect(accepted.deviceKeys.seenBaseKeys).toHaveLength(1);
    expectCryptoError(() => acceptInitialMessage(accepted.deviceKeys, sent.message, aliceId.publicKey), 'duplicate');
  });

  it('serialises and restores both sides in the middle of a conversation, with skipped keys', () => {
    const rng = seededRng('restore');
    let { alice, bob } = establish(rng);
    const held: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = encryptMessage(alice, text(`m${i}`), rng);
      alice = sent.session;
      if (i % 2 === 0) held.push(sent.message);
      else bob = decryptMessage(bob, sent.message).session;
    }
    const restore = (s: Session): Session => deserializeSession(serializeSession(s));
    alice = restore(alice);
    bob = restore(bob);
    expect(serializeSession(bob)).toEqual(serializeSession(restore(bob)));
    for (const m of held.reverse()) bob = decryptMessage(bob, m).session;
    const reply = encryptMessage(bob, text('after restore'), rng);
    expect(str(decryptMessage(alice, reply.message).plaintext)).toBe('after restore');
  });

  it('never mutates the session it is given', () => {
    const rng = seededRng('pure');
    const { alice, bob } = establish(rng);
    const [a0, b0] = [snapshot(alice), snapshot(bob)];
    const sent = encryptMessage(alice, text('x'), rng);
    decryptMessage(bob, sent.message);
    expect([snapshot(alice), snapshot(bob)]).toEqual([a0, b0]);
  });

  it('refuses a message decrypted once when it comes again, leaving the session as it was', () => {
    const rng = seededRng('replay');
    let { alice, bob } = establish(rng);
    const sent = encryptMessage(alice, text('once'), rng);
    alice = sent.session;
    bob = decryptMessage(bob, sent.message).session;
    const before = snapshot(bob);
    expectCryptoError(() => decryptMessage(bob, sent.message), 'duplicate');
    expect(snapshot(bob)).toBe(before);
  });

  it('refuses a message from another session', () => {
    const rng = seededRng('foreign');
    const one = establish(rng);
    const two = establish(rng);
    const sent = encryptMessage(one.alice, text('not yours'), rng);
    const before = snapshot(two.bob);
    expectCryptoError(() => decryptMessage(two.bob, sent.message), 'decrypt_failed');
    expect(snapshot(two.bob)).toBe(before);
  });

  it('refuses a message reflected back to its sender', () => {
    const rng = seededRng('reflect');
    const { alice } = establish(rng);
    const sent = encryptMessage(alice, text('mirror'), rng);
    expectCryptoError(() => decryptMessage(sent.session, sent.message), 'decrypt_failed');
  });

  it('refuses an initial message where a ratchet message is expected', () => {
    const rng = seededRng('kind');
    const { alice, bob } = establish(rng, { reply: false });
    const initial = encryptMessage(alice, text('x'), rng);
    expectCryptoError(() => decryptMessage(bob, initial.message), 'malformed');
  });

  it('refuses to encrypt more than the receiver would accept', () => {
    const rng = seededRng('too-big');
    const { alice } = establish(rng);
    expectCryptoError(() => encryptMessage(alice, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1), rng), 'invalid_argument');
  });
});
