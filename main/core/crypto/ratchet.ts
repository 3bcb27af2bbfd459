/**
 * The Double Ratchet (signal.org/docs/specifications/doubleratchet) over X25519, HKDF-SHA256,
 * HMAC-SHA256 and XChaCha20-Poly1305. Pure functions: each returns a new state and never
 * mutates the one it was given.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { associatedData, open, seal } from './aead';
import { type Rng } from './bytes';
import { keyForCounter, newReceivingChain, skipTo, type ReceivingChain } from './chains';
import { MAX_FORWARD_JUMP, MAX_RECEIVING_CHAINS } from './constants';
import { agree, generateKeyPair, type KeyPair } from './dh';
import { CryptoError } from './errors';
import { chainStep, headerTag, rootKdf, type SessionSecrets } from './kdf';
import { encodeRatchetHeader, encodeRatchetMessage, type RatchetMessage } from './wire';

export interface SendingChain {
  readonly chainKey: Uint8Array;
  /** Counter the next message will carry. */
  readonly index: number;
}

export interface RatchetState {
  readonly rootKey: Uint8Array;
  readonly sendHeaderKey: Uint8Array;
  readonly receiveHeaderKey: Uint8Array;
  /** Our current ratchet key pair (the responder's starts as its signed prekey). */
  readonly ratchetKeyPair: KeyPair;
  /** The peer's newest ratchet public key; null only inside a responder's set-up. */
  readonly remoteRatchetKey: Uint8Array | null;
  /**
   * null when we have received a new ratchet key since we last sent: the sending half of the DH
   * ratchet step then runs on the next encrypt (see docs/protocol.md, "Departures").
   */
  readonly sending: SendingChain | null;
  /** Length of our previous sending chain: the header's PN. */
  readonly previousSendingLength: number;
  /** Newest first, at most MAX_RECEIVING_CHAINS. */
  readonly receiving: readonly ReceivingChain[];
}

/** The two identity keys, in the direction of the message: they go into every AD. */
export interface Direction {
  readonly sender: Uint8Array;
  readonly receiver: Uint8Array;
}

const MAX_COUNTER = 0xffff_ffff;

export function ratchetEncrypt(
  state: RatchetState,
  plaintext: Uint8Array,
  direction: Direction,
  rng: Rng,
): { state: RatchetState; message: Uint8Array } {
  const ready = state.sending === null ? sendingStep(state, rng) : state;
  const sending = ready.sending as SendingChain;
  if (sending.index >= MAX_COUNTER) throw new CryptoError('invalid_argument', 'sending chain exhausted');
  const { messageKeySeed, nextChainKey } = chainStep(sending.chainKey);
  const header = encodeRatchetHeader(ready.ratchetKeyPair.publicKey, ready.previousSendingLength, sending.index);
  const ciphertext = seal(messageKeySeed, plaintext, associatedData(direction.sender, direction.receiver, header));
  const message = encodeRatchetMessage(header, headerTag(ready.sendHeaderKey, header), ciphertext);
  return { state: { ...ready, sending: { chainKey: nextChainKey, index: sending.index + 1 } }, message };
}

/**
 * Decrypts one parsed ratchet message. Order matters for cost and safety: the header tag first
 * (a forged header costs one HMAC), then the cheapest path to the message key, the AEAD last;
 * nothing computed along the way reaches the returned state unless the AEAD accepts.
 */
export function ratchetDecrypt(
  state: RatchetState,
  message: RatchetMessage,
  direction: Direction,
): { state: RatchetState; plaintext: Uint8Array } {
  if (!equalBytes(headerTag(state.receiveHeaderKey, message.header), message.headerTag)) {
    throw new CryptoError('decrypt_failed', 'header authentication failed');
  }
  const ad = associatedData(direction.sender, direction.receiver, message.header);
  const position = state.receiving.findIndex((c) => equalBytes(c.ratchetKey, message.ratchetKey));
  const known = state.receiving[position];
  if (known !== undefined) {
    const { chain, messageKeySeed } = keyForCounter(known, message.counter);
    const plaintext = open(messageKeySeed, message.ciphertext, ad);
    const receiving = state.receiving.map((c, i) => (i === position ? chain : c));
    return { state: { ...state, receiving }, plaintext };
  }
  const stepped = receivingStep(state, message);
  const newest = stepped.receiving[0] as ReceivingChain;
  const { chain, messageKeySeed } = keyForCounter(newest, message.counter);
  const plaintext = open(messageKeySeed, message.ciphertext, ad);
  return { state: { ...stepped, receiving: [chain, ...stepped.receiving.slice(1)] }, plaintext };
}

/**
 * The receiving half of a DH ratchet step: store the keys still owed on the current chain (up
 * to the header's PN), then RK, CKr = KDF_RK(RK, DH(our ratchet key, their new key)).
 */
function receivingStep(state: RatchetState, message: RatchetMessage): RatchetState {
  // Bounds first, so a hostile PN or counter costs nothing before it is refused.
  if (message.counter > MAX_FORWARD_JUMP) {
    throw new CryptoError('too_far_ahead', `message counter ${message.counter} on a new chain (max ${MAX_FORWARD_JUMP})`);
  }
  // receiving[0], when present, is the chain of remoteRatchetKey: the one PN refers to.
  const current = state.receiving[0];
  const older = current === undefined ? [] : [skipTo(current, message.previousCounter), ...state.receiving.slice(1)];
  const { rootKey, chainKey } = rootKdf(state.rootKey, agree(state.ratchetKeyPair.secretKey, message.ratchetKey));
  const remoteRatchetKey = message.ratchetKey.slice(); // the message buffer is the caller's
  return {
    ...state,
    rootKey,
    remoteRatchetKey,
    sending: null,
    previousSendingLength: state.sending?.index ?? state.previousSendingLength,
    receiving: [newReceivingChain(remoteRatchetKey, chainKey), ...older].slice(0, MAX_RECEIVING_CHAINS),
  };
}

/** The sending half: a fresh ratchet key pair, then RK, CKs = KDF_RK(RK, DH(new pair, their key)). */
function sendingStep(state: RatchetState, rng: Rng): RatchetState {
  if (state.remoteRatchetKey === null) throw new CryptoError('invalid_argument', 'session has no peer ratchet key yet');
  const ratchetKeyPair = generateKeyPair(rng);
  const { rootKey, chainKey } = rootKdf(state.rootKey, agree(ratchetKeyPair.secretKey, state.remoteRatchetKey));
  return { ...state, rootKey, ratchetKeyPair, sending: { chainKey, index: 0 } };
}

/** Alice after PQXDH: her first DH ratchet step runs against Bob's signed prekey (spec 3.3). */
export function initiatorRatchet(secrets: SessionSecrets, remoteSignedPreKey: Uint8Array, rng: Rng): RatchetState {
  const ratchetKeyPair = generateKeyPair(rng);
  const { rootKey, chainKey } = rootKdf(secrets.rootKey, agree(ratchetKeyPair.secretKey, remoteSignedPreKey));
  return {
    rootKey,
    sendHeaderKey: secrets.initiatorHeaderKey,
    receiveHeaderKey: secrets.responderHeaderKey,
    ratchetKeyPair,
    remoteRatchetKey: remoteSignedPreKey.slice(),
    sending: { chainKey, index: 0 },
    previousSendingLength: 0,
    receiving: [],
  };
}

/** Bob after PQXDH: his signed prekey is his first ratchet key; Alice's first message steps it. */
export function responderRatchet(secrets: SessionSecrets, signedPreKey: KeyPair): RatchetState {
  return {
    rootKey: secrets.rootKey,
    sendHeaderKey: secrets.responderHeaderKey,
    receiveHeaderKey: secrets.initiatorHeaderKey,
    ratchetKeyPair: signedPreKey,
    remoteRatchetKey: null,
    sending: null,
    previousSendingLength: 0,
    receiving: [],
  };
}
