import { describe, expect, it } from 'vitest';
import {
  decryptMessage,
  encryptMessage,
  MAX_FORWARD_JUMP,
  MAX_RECEIVING_CHAINS,
  MAX_SKIPPED_PER_CHAIN,
  MAX_SKIPPED_TOTAL,
  type Session,
} from '../../../main/core/crypto/index';
import { establish, expectCryptoError, seededRng, snapshot, str, text } from './helpers';

function sendMany(from: Session, count: number, rng: ReturnType<typeof seededRng>): { session: Session; messages: Uint8Array[] } {
  const messages: Uint8Array[] = [];
  let session = from;
  for (let i = 0; i < count; i++) {
    const sent = encryptMessage(session, text(String(i)), rng);
    session = sent.session;
    messages.push(sent.message);
  }
  return { session, messages };
}

const skippedKeys = (s: Session): number => s.ratchet.receiving.reduce((n, c) => n + c.skipped.size, 0);

describe('skipped message keys and their bounds', () => {
  it(`refuses a jump of more than ${MAX_FORWARD_JUMP} and keeps the newest ${MAX_SKIPPED_PER_CHAIN} skipped keys`, () => {
    const rng = seededRng('jump');
    const pair = establish(rng);
    const { messages } = sendMany(pair.alice, MAX_FORWARD_JUMP + 3, rng);
    const at = (i: number): Uint8Array => messages[i] as Uint8Array;
    let bob = pair.bob;

    const before = snapshot(bob);
    expectCryptoError(() => decryptMessage(bob, at(MAX_FORWARD_JUMP + 1)), 'too_far_ahead'); // new chain
    expect(snapshot(bob)).toBe(before);

    bob = decryptMessage(bob, at(0)).session;
    expectCryptoError(() => decryptMessage(bob, at(MAX_FORWARD_JUMP + 2)), 'too_far_ahead'); // known chain
    const far = decryptMessage(bob, at(MAX_FORWARD_JUMP + 1)); // exactly the bound
    bob = far.session;
    expect(str(far.plaintext)).toBe(String(MAX_FORWARD_JUMP + 1));
    expect(skippedKeys(bob)).toBe(MAX_SKIPPED_PER_CHAIN);

    // The oldest skipped keys were evicted: those messages now count as already received.
    const oldestKept = MAX_FORWARD_JUMP + 1 - MAX_SKIPPED_PER_CHAIN;
    expectCryptoError(() => decryptMessage(bob, at(1)), 'duplicate');
    expectCryptoError(() => decryptMessage(bob, at(oldestKept - 1)), 'duplicate');
    expect(str(decryptMessage(bob, at(oldestKept)).plaintext)).toBe(String(oldestKept));
  });

  it(`keeps ${MAX_RECEIVING_CHAINS} receiving chains and so at most ${MAX_SKIPPED_TOTAL} skipped keys`, () => {
    const rng = seededRng('chains');
    let { alice, bob } = establish(rng);
    const held: Uint8Array[] = [];
    const perRound = MAX_SKIPPED_PER_CHAIN + 100;
    for (let round = 0; round <= MAX_RECEIVING_CHAINS; round++) {
      const burst = sendMany(alice, perRound, rng);
      alice = burst.session;
      held.push(burst.messages[0] as Uint8Array, burst.messages[perRound - 2] as Uint8Array);
      bob = decryptMessage(bob, burst.messages[perRound - 1] as Uint8Array).session;
      const reply = encryptMessage(bob, text('r'), rng);
      bob = reply.session;
      alice = decryptMessage(alice, reply.message).session;
    }
    expect(bob.ratchet.receiving).toHaveLength(MAX_RECEIVING_CHAINS);
    expect(skippedKeys(bob)).toBe(MAX_SKIPPED_TOTAL);

    // Round 0's chain was dropped: its late message fails and changes nothing.
    const before = snapshot(bob);
    expectCryptoError(() => decryptMessage(bob, held[1] as Uint8Array), 'decrypt_failed');
    expect(snapshot(bob)).toBe(before);
    // Round 1's chain is the oldest kept: its newest skipped key still works, its first was evicted.
    expect(str(decryptMessage(bob, held[3] as Uint8Array).plaintext)).toBe(String(perRound - 2));
    expectCryptoError(() => decryptMessage(bob, held[2] as Uint8Array), 'duplicate');
  });
});
