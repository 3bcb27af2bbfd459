/**
 * Random delivery schedules: messages sent by either side, delivered out of order, lost,
 * duplicated, with sessions persisted and restored in between. Every delivered message must
 * decrypt exactly once, to what was sent; every other delivery is refused with a typed error
 * and leaves the receiver's session byte-for-byte as it was.
 */
import { bytesToHex as toHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  decryptMessage,
  deserializeSession,
  encryptMessage,
  MAX_RECEIVING_CHAINS,
  parseRatchetMessage,
  serializeSession,
  type Session,
} from '../../../main/core/crypto/index';
import { establish, seededRng, snapshot, str, text } from './helpers';

type Side = 'alice' | 'bob';
const other = (s: Side): Side => (s === 'alice' ? 'bob' : 'alice');

type Command =
  | { readonly kind: 'send'; readonly from: Side }
  | { readonly kind: 'deliver' | 'redeliver' | 'drop'; readonly pick: number }
  | { readonly kind: 'restore' }
  /** A full round trip delivered at once: moves both sides' DH epochs on, so chains get pruned. */
  | { readonly kind: 'exchange' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Side>('alice', 'bob').map((from) => ({ kind: 'send' as const, from })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ kind: 'deliver' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'redeliver' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'drop' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restore' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'exchange' as const }) },
);

interface Envelope {
  readonly to: Side;
  readonly bytes: Uint8Array;
  readonly plaintext: string;
  /** Index of the sender's ratchet key (its DH epoch) this message was sent under. */
  readonly epoch: number;
}

function runSchedule(seed: number, commands: readonly Command[]): void {
  const rng = seededRng(`schedule-${seed}`);
  const pair = establish(rng);
  const sessions: Record<Side, Session> = { alice: pair.alice, bob: pair.bob };
  // Each side's ratchet keys in order of use, and the newest epoch of the peer each has seen.
  const keys: Record<Side, string[]> = {
    alice: [toHex(pair.alice.ratchet.ratchetKeyPair.publicKey)],
    bob: [toHex(pair.bob.ratchet.ratchetKeyPair.publicKey)],
  };
  const newestSeen: Record<Side, number> = { alice: 0, bob: 0 };
  const inFlight: Envelope[] = [];
  const delivered: Envelope[] = [];
  let counter = 0;

  const chainAlive = (e: Envelope): boolean => newestSeen[e.to] - e.epoch < MAX_RECEIVING_CHAINS;

  const send = (from: Side): void => {
    const plaintext = `m${counter++}`;
    const sent = encryptMessage(sessions[from], text(plaintext), rng);
    sessions[from] = sent.session;
    const key = toHex(parseRatchetMessage(sent.message).ratchetKey);
    if (keys[from].at(-1) !== key) keys[from].push(key);
    inFlight.push({ to: other(from), bytes: sent.message, plaintext, epoch: keys[from].length - 1 });
  };
  const deliver = (index: number): void => {
    const [e] = inFlight.splice(index, 1) as [Envelope];
    if (e.epoch > newestSeen[e.to] || chainAlive(e)) {
      const got = decryptMessage(sessions[e.to], e.bytes);
      expect(str(got.plaintext)).toBe(e.plaintext);
      sessions[e.to] = got.session;
      newestSeen[e.to] = Math.max(newestSeen[e.to], e.epoch);
      delivered.push(e);
    } else {
      expectRefused(sessions[e.to], e.bytes, 'decrypt_failed'); // its chain was pruned
    }
  };

  for (const c of commands) {
    if (c.kind === 'send') {
      send(c.from);
    } else if (c.kind === 'exchange') {
      for (const from of ['alice', 'bob'] as const) {
        send(from);
        deliver(inFlight.length - 1);
      }
    } else if (c.kind === 'restore') {
      for (const side of ['alice', 'bob'] as const) sessions[side] = deserializeSession(serializeSession(sessions[side]));
    } else if (c.kind === 'drop') {
      if (inFlight.length > 0) inFlight.splice(c.pick % inFlight.length, 1);
    } else if (c.kind === 'deliver') {
      if (inFlight.length > 0) deliver(c.pick % inFlight.length);
    } else if (delivered.length > 0) {
      const e = delivered[c.pick % delivered.length] as Envelope;
      expectRefused(sessions[e.to], e.bytes, chainAlive(e) ? 'duplicate' : 'decrypt_failed');
    }
  }
  // Everything still in flight is delivered now: each decrypts once (or was pruned with its chain).
  while (inFlight.length > 0) {
    const e = inFlight[0] as Envelope;
    deliver(0);
    if (delivered.at(-1) === e) expectRefused(sessions[e.to], e.bytes, 'duplicate');
  }
}

function expectRefused(session: Session, bytes: Uint8Array, code: CryptoError['code']): void {
  const before = snapshot(session);
  let error: unknown;
  try {
    decryptMessage(session, bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CryptoError);
  expect((error as CryptoError).code).toBe(code);
  expect(snapshot(session)).toBe(before);
}

describe('random delivery schedules', () => {
  it('deliver every message exactly once, whatever the order, losses and duplicates', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(command, { minLength: 1, maxLength: 40 }), (seed, commands) => runSchedule(seed, commands)),
      { numRuns: 60 },
    );
  });

  it('survive long one-sided bursts delivered in reverse and shuffled order', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (seed, order) => {
        const sends: Command[] = order.map(() => ({ kind: 'send', from: 'alice' }));
        const delivers: Command[] = order.map((pick) => ({ kind: 'deliver', pick }));
        runSchedule(seed, [...sends, { kind: 'restore' }, ...delivers]);
      }),
      { numRuns: 30 },
    );
  });

  it('refuse messages held across more DH steps than receiving chains are kept, and only those', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.constantFrom<Side>('alice', 'bob'), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: MAX_RECEIVING_CHAINS + 2 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (seed, senders, exchanges, order) => {
          const held: Command[] = senders.map((from) => ({ kind: 'send', from }));
          const steps: Command[] = Array.from({ length: exchanges }, () => ({ kind: 'exchange' }));
          const delivers: Command[] = order.map((pick) => ({ kind: 'deliver', pick }));
          runSchedule(seed, [...held, ...steps, ...delivers]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
