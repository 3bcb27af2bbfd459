/**
 * 100,000+ random and mutated messages fed to decrypt: every one is either a byte-exact copy of
 * a real message or is refused with a CryptoError, and the session never changes. Deterministic
 * (seeded), so a failure replays.
 */
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
  type CryptoErrorCode,
  type Session,
} from '../../../main/core/crypto/index';
import { equalBytes } from '@noble/curves/utils.js';
import { headerTag } from '../../../main/core/crypto/kdf';
import { encodeRatchetHeader, encodeRatchetMessage } from '../../../main/core/crypto/wire';
import { establish, seededRng, snapshot, text } from './helpers';

const CASES = 100_000;
const INITIAL_CASES = 1_000;
const ALLOWED: readonly CryptoErrorCode[] = ['malformed', 'unsupported_version', 'decrypt_failed', 'duplicate', 'too_far_ahead', 'invalid_key'];

/** xorshift32: a cheap, seeded source for mutations (not for keys). */
function prng(seed: number): { int: (n: number) => number; bytes: (n: number) => Uint8Array } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return {
    int: (n) => next() % n,
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}

type Prng = ReturnType<typeof prng>;

function flipBit(bytes: Uint8Array, r: Prng): void {
  const at = r.int(bytes.length);
  bytes[at] = (bytes[at] ?? 0) ^ (1 << r.int(8));
}

function mutate(r: Prng, corpus: readonly Uint8Array[], receiveHeaderKey: Uint8Array): Uint8Array {
  const base = corpus[r.int(corpus.length)] as Uint8Array;
  switch (r.int(9)) {
    case 0: { // flip 1-4 bits
      const out = base.slice();
      for (let i = 1 + r.int(4); i > 0; i--) flipBit(out, r);
      return out;
    }
    case 1: { // overwrite a byte
      const out = base.slice();
      out[r.int(out.length)] = r.int(256);
      return out;
    }
    case 2: return base.slice(0, r.int(base.length));
    case 3: return new Uint8Array([...base, ...r.bytes(1 + r.int(8))]);
    case 4: { // splice two messages
      const other = corpus[r.int(corpus.length)] as Uint8Array;
      const cut = r.int(Math.min(base.length, other.length));
      return new Uint8Array([...base.subarray(0, cut), ...other.subarray(cut)]);
    }
    case 5: return r.bytes(r.int(200));
    case 6: return new Uint8Array([1, 3, ...r.bytes(r.int(200))]);
    case 7: { // well-formed, wrong header tag: must die at the tag
      const header = encodeRatchetHeader(r.bytes(32), r.int(50), r.int(50));
      return encodeRatchetMessage(header, r.bytes(16), r.bytes(16 + r.int(64)));
    }
    default: { // an insider's forgery: valid header tag, reaching the chain and AEAD logic
      const sameKey = r.int(4) !== 0;
      const key = sameKey ? base.subarray(2, 34) : r.bytes(32);
      const counter = r.int(10) === 0 ? r.int(0xffff_ffff) : r.int(60);
      const header = encodeRatchetHeader(key, r.int(10) === 0 ? r.int(0xffff_ffff) : r.int(60), counter);
      return encodeRatchetMessage(header, headerTag(receiveHeaderKey, header), r.bytes(16 + r.int(64)));
    }
  }
}

function attempt(session: Session, bytes: Uint8Array, corpus: readonly Uint8Array[]): void {
  try {
    decryptMessage(session, bytes);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw new Error(`non-CryptoError from decrypt: ${String(error)}`, { cause: error });
    if (!ALLOWED.includes(error.code)) throw new Error(`unexpected code ${error.code}`);
    return;
  }
  // Accepted: only a real message may be, byte for byte.
  expect(corpus.some((m) => equalBytes(m, bytes))).toBe(true);
}

describe('decrypt fuzzing', () => {
  it(`survives ${CASES} random and mutated ratchet messages without a crash or a state change`, () => {
    const rng = seededRng('fuzz');
    let { alice, bob } = establish(rng);
    // A receiver with skipped keys on two chains, and a corpus of real messages around it.
    const corpus: Uint8Array[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        const sent = encryptMessage(alice, text(`m${round}.${i}`), rng);
        alice = sent.session;
        corpus.push(sent.message);
        if (i === 3) bob = decryptMessage(bob, sent.message).session;
      }
      const reply = encryptMessage(bob, text('r'), rng);
      bob = reply.session;
      alice = decryptMessage(alice, reply.message).session;
    }
    for (let i = 0; i < 3; i++) {
      const sent = encryptMessage(alice, text(`late${i}`), rng);
      alice = sent.session;
      corpus.push(sent.message);
    }
    const before = snapshot(bob);
    const r = prng(0x5eed);
    for (let i = 0; i < CASES; i++) {
      attempt(bob, mutate(r, corpus, bob.ratchet.receiveHeaderKey), corpus);
      if (i % 1000 === 0) expect(snapshot(bob)).toBe(before);
    }
    expect(snapshot(bob)).toBe(before);
  }, 120_000);

  it(`survives ${INITIAL_CASES} mutated initial messages without consuming a prekey`, () => {
    const rng = seededRng('fuzz-initial');
    const aliceId = generateIdentityKeyPair(rng);
    const device = generateDeviceKeys(rng, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
    const bundle = bundleFor(device, { oneTimePreKeyId: [...device.oneTimePreKeys.keys()][0], pqPreKeyId: [...device.oneTimePqPreKeys.keys()][0] });
    const { message } = encryptMessage(initiateSession(aliceId, bundle, device.identity.publicKey, rng), text('hi'), rng);
    const before = serializeDeviceKeys(device);
    const r = prng(0x1417);
    for (let i = 0; i < INITIAL_CASES; i++) {
      const out = message.slice();
      for (let n = 1 + r.int(3); n > 0; n--) flipBit(out, r);
      const bytes = r.int(5) === 0 ? out.subarray(0, r.int(out.length)) : out;
      try {
        acceptInitialMessage(device, bytes, aliceId.publicKey);
        expect(equalBytes(bytes, message)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
      }
    }
    expect(serializeDeviceKeys(device)).toEqual(before);
  }, 120_000);
});
