/** Shared set-up for the crypto tests: a deterministic rng and established sessions. */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  acceptInitialMessage,
  bundleFor,
  CryptoError,
  decryptMessage,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  initiateSession,
  serializeSession,
  type DeviceKeys,
  type IdentityKeyPair,
  type Rng,
  type Session,
} from '../../../main/core/crypto/index';

/** Deterministic randomness so a failing case replays exactly: SHA-256(label || counter). */
export function seededRng(label: string): Rng {
  const prefix = new TextEncoder().encode(label);
  let counter = 0;
  return (length: number) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const input = new Uint8Array(prefix.length + 4);
      input.set(prefix);
      new DataView(input.buffer).setUint32(prefix.length, counter++);
      out.set(sha256(input).subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

export interface Pair {
  readonly alice: Session;
  readonly bob: Session;
  readonly aliceIdentity: IdentityKeyPair;
  readonly bobDevice: DeviceKeys;
}

/** Alice starts from Bob's bundle; Bob accepts her first message; optionally Bob replies once. */
export function establish(rng: Rng, options: { reply?: boolean } = {}): Pair {
  const aliceIdentity = generateIdentityKeyPair(rng);
  const device = generateDeviceKeys(rng, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
  const choice = { oneTimePreKeyId: [...device.oneTimePreKeys.keys()][0], pqPreKeyId: [...device.oneTimePqPreKeys.keys()][0] };
  const started = initiateSession(aliceIdentity, bundleFor(device, choice), device.identity.publicKey, rng);
  const first = encryptMessage(started, text('hello'), rng);
  const accepted = acceptInitialMessage(device, first.message, aliceIdentity.publicKey);
  let alice = first.session;
  let bob = accepted.session;
  if (options.reply !== false) {
    const reply = encryptMessage(bob, text('hi'), rng);
    bob = reply.session;
    alice = decryptMessage(alice, reply.message).session;
  }
  return { alice, bob, aliceIdentity, bobDevice: accepted.deviceKeys };
}

/** Runs `f`, expecting a CryptoError with `code`; returns it. */
export function expectCryptoError(f: () => unknown, code: CryptoError['code']): CryptoError {
  try {
    f();
  } catch (error) {
    if (!(error instanceof CryptoError)) throw new Error(`expected CryptoError(${code}), got ${String(error)}`, { cause: error });
    if (error.code !== code) throw new Error(`expected CryptoError(${code}), got ${error.code}: ${error.message}`, { cause: error });
    return error;
  }
  throw new Error(`expected CryptoError(${code}), but nothing was thrown`);
}

export const snapshot = (session: Session): string => Buffer.from(serializeSession(session)).toString('hex');

/** A copy of `bytes` with the byte at `index` XORed with `mask`. */
export function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] ?? 0) ^ mask;
  return out;
}
