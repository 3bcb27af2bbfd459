import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bundleFor,
  CryptoError,
  deserializeDeviceKeys,
  deserializeSession,
  encodeBundle,
  encryptMessage,
  generateDeviceKeys,
  messageKind,
  parseBundle,
  parseInitialMessage,
  parseRatchetMessage,
  serializeDeviceKeys,
  serializeSession,
} from '../../../main/core/crypto/index';
import { establish, expectCryptoError, seededRng, text } from './helpers';

const rng = seededRng('encoding');
const pair = establish(rng);
const device = generateDeviceKeys(rng, { oneTimePreKeys: 3, oneTimePqPreKeys: 2 });
const samples = {
  bundle: encodeBundle(bundleFor(device, { oneTimePreKeyId: [...device.oneTimePreKeys.keys()][0] })),
  initial: encryptMessage(establish(rng, { reply: false }).alice, text('i'), rng).message,
  ratchet: encryptMessage(pair.alice, text('r'), rng).message,
  session: serializeSession(pair.bob),
  deviceKeys: serializeDeviceKeys(device),
};
const parsers: Record<keyof typeof samples, (b: Uint8Array) => unknown> = {
  bundle: parseBundle,
  initial: parseInitialMessage,
  ratchet: parseRatchetMessage,
  session: deserializeSession,
  deviceKeys: deserializeDeviceKeys,
};

/** Parsing yields a structure or a CryptoError: never another exception. */
function parsesOrRefuses(parse: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    parse(bytes);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
  }
}

const mutation = (sample: Uint8Array) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
      const out = sample.slice();
      const i = at % out.length;
      out[i] = (out[i] ?? 0) ^ mask;
      return out;
    }),
    fc.nat().map((n) => sample.slice(0, n % sample.length)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => new Uint8Array([...sample, ...extra])),
  );

describe('encodings', () => {
  for (const name of Object.keys(samples) as (keyof typeof samples)[]) {
    it(`${name}: any byte string parses or is refused with a CryptoError`, () => {
      fc.assert(fc.property(mutation(samples[name]), (bytes) => parsesOrRefuses(parsers[name], bytes)), { numRuns: 400 });
    });
  }

  it('round-trips sessions and device keys byte for byte', () => {
    expect(serializeSession(deserializeSession(samples.session))).toEqual(samples.session);
    expect(serializeDeviceKeys(deserializeDeviceKeys(samples.deviceKeys))).toEqual(samples.deviceKeys);
    expect(encodeBundle(parseBundle(samples.bundle))).toEqual(samples.bundle);
  });

  it('reads the version first and refuses versions it does not speak', () => {
    for (const [name, bytes] of Object.entries(samples)) {
      const next = bytes.slice();
      next[0] = 2;
      expectCryptoError(() => parsers[name as keyof typeof samples](next), 'unsupported_version');
    }
    expectCryptoError(() => messageKind(Uint8Array.of(1, 9)), 'unsupported_version');
    expect(messageKind(samples.initial)).toBe('initial');
    expect(messageKind(samples.ratchet)).toBe('ratchet');
  });

  it('never parses one kind of structure as another', () => {
    for (const [name, bytes] of Object.entries(samples)) {
      for (const [other, parse] of Object.entries(parsers)) {
        if (other !== name) expectCryptoError(() => parse(bytes), 'malformed');
      }
    }
  });

  it('refuses non-canonical flags and trailing bytes', () => {
    const bundle = samples.bundle.slice();
    const flagAt = 2 + 32 + 4 + 32 + 64;
    expect(bundle[flagAt]).toBe(1);
    bundle[flagAt] = 2;
    expectCryptoError(() => parseBundle(bundle), 'malformed');
    for (const [name, bytes] of Object.entries(samples)) {
      expectCryptoError(() => parsers[name as keyof typeof samples](new Uint8Array([...bytes, 0])), 'malformed');
    }
  });
});
