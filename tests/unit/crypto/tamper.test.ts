import { describe, expect, it } from 'vitest';
import {
  acceptInitialMessage,
  bundleFor,
  CryptoError,
  decryptMessage,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  initiateSession,
  serializeDeviceKeys,
} from '../../../main/core/crypto/index';
import { establish, flip, seededRng, snapshot, text } from './helpers';

function rejects(f: () => unknown): CryptoError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return error as CryptoError;
  }
  throw new Error('tampered message was accepted');
}

describe('tampering', () => {
  it('rejects every single-byte change to a ratchet message and leaves the session unchanged', () => {
    const rng = seededRng('tamper-ratchet');
    const { alice, bob } = establish(rng);
    // Two messages: one on a new chain (DH step path) and one on a known chain.
    const first = encryptMessage(alice, text('first message'), rng);
    const bobAfterFirst = decryptMessage(bob, first.message).session;
    const second = encryptMessage(first.session, text('second message'), rng);
    for (const [session, message] of [[bob, first.message], [bobAfterFirst, second.message]] as const) {
      const before = snapshot(session);
      for (let i = 0; i < message.length; i++) {
        for (const mask of [0x01, 0x80, 0xff]) rejects(() => decryptMessage(session, flip(message, i, mask)));
      }
      rejects(() => decryptMessage(session, message.subarray(0, message.length - 1)));
      rejects(() => decryptMessage(session, new Uint8Array([...message, 0])));
      expect(snapshot(session)).toBe(before);
      // ...and the untouched message still decrypts afterwards.
      expect(decryptMessage(session, message).plaintext.length).toBeGreaterThan(0);
    }
  });

  it('rejects single-byte changes to an initial message and consumes no prekey', () => {
    const rng = seededRng('tamper-initial');
    const aliceId = generateIdentityKeyPair(rng);
    const device = generateDeviceKeys(rng, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const bundle = bundleFor(device, { oneTimePreKeyId: [...device.oneTimePreKeys.keys()][0], pqPreKeyId: [...device.oneTimePqPreKeys.keys()][0] });
    const { message } = encryptMessage(initiateSession(aliceId, bundle, device.identity.publicKey, rng), text('hello'), rng);
    const deviceBefore = serializeDeviceKeys(device);
    // Every byte outside the KEM ciphertext, and every 97th byte inside it (each try runs PQXDH).
    const kemStart = 2 + 32 + 32 + 4 + 1 + 4 + 4 + 2;
    const kemEnd = kemStart + 1568;
    for (let i = 0; i < message.length; i++) {
      if (i >= kemStart && i < kemEnd && (i - kemStart) % 97 !== 0) continue;
      rejects(() => acceptInitialMessage(device, flip(message, i, 0x01), aliceId.publicKey));
    }
    expect(serializeDeviceKeys(device)).toEqual(deviceBefore);
    expect(acceptInitialMessage(device, message, aliceId.publicKey).isNewSession).toBe(true);
  });
});
