/**
 * Receiving chains and their skipped message keys. Every function returns new objects and
 * leaves its inputs untouched: decryption works on a copy, so a message that fails to
 * authenticate cannot have advanced, evicted or consumed anything.
 */
import { MAX_FORWARD_JUMP, MAX_SKIPPED_PER_CHAIN } from './constants';
import { CryptoError } from './errors';
import { chainStep } from './kdf';

export interface ReceivingChain {
  /** The sender's ratchet public key this chain belongs to. */
  readonly ratchetKey: Uint8Array;
  readonly chainKey: Uint8Array;
  /** Counter of the next message expected on this chain. */
  readonly index: number;
  /** Message key seeds of messages not yet received, by counter, oldest first. */
  readonly skipped: ReadonlyMap<number, Uint8Array>;
}

export interface ChainKeyLookup {
  /** The chain as it will be if the message authenticates. */
  readonly chain: ReceivingChain;
  readonly messageKeySeed: Uint8Array;
}

/**
 * Finds the key for `counter` on `chain`: a stored skipped key, or a new one derived forward.
 * A counter below the index with no stored key was already decrypted (or its key evicted):
 * refusing it is what makes a replay fail.
 */
export function keyForCounter(chain: ReceivingChain, counter: number): ChainKeyLookup {
  if (counter < chain.index) {
    const seed = chain.skipped.get(counter);
    if (seed === undefined) throw new CryptoError('duplicate', `message ${counter} was already received`);
    const skipped = new Map(chain.skipped);
    skipped.delete(counter);
    return { chain: { ...chain, skipped }, messageKeySeed: seed };
  }
  const advanced = skipTo(chain, counter);
  const { messageKeySeed, nextChainKey } = chainStep(advanced.chainKey);
  return { chain: { ...advanced, chainKey: nextChainKey, index: counter + 1 }, messageKeySeed };
}

/**
 * Derives and stores the keys of messages index..until-1 so they can arrive later. The jump is
 * bounded before any work is done, so one message can cost at most MAX_FORWARD_JUMP chain steps;
 * the store keeps the newest MAX_SKIPPED_PER_CHAIN keys, evicting the oldest.
 */
export function skipTo(chain: ReceivingChain, until: number): ReceivingChain {
  if (until <= chain.index) return chain;
  if (until - chain.index > MAX_FORWARD_JUMP) {
    throw new CryptoError('too_far_ahead', `message skips ${until - chain.index} keys (max ${MAX_FORWARD_JUMP})`);
  }
  const skipped = new Map(chain.skipped);
  let chainKey = chain.chainKey;
  for (let counter = chain.index; counter < until; counter++) {
    const step = chainStep(chainKey);
    // Keys that would be evicted at once are never stored; the chain still steps past them.
    if (until - counter <= MAX_SKIPPED_PER_CHAIN) skipped.set(counter, step.messageKeySeed);
    chainKey = step.nextChainKey;
  }
  // Map iteration is insertion order and counters only grow, so the first keys are the oldest.
  for (const counter of skipped.keys()) {
    if (skipped.size <= MAX_SKIPPED_PER_CHAIN) break;
    skipped.delete(counter);
  }
  return { ratchetKey: chain.ratchetKey, chainKey, index: until, skipped };
}

export function newReceivingChain(ratchetKey: Uint8Array, chainKey: Uint8Array): ReceivingChain {
  return { ratchetKey, chainKey, index: 0, skipped: new Map() };
}
