/**
 * Sender Keys (Signal's group scheme). Each sending device keeps, per group, one symmetric chain
 * and one Ed25519 signing key; it hands the chain's current position and the signing public key
 * to every member device once, over the pairwise Double Ratchet sessions (the distribution
 * message), and from then on encrypts each group message once for all of them.
 *
 * The chain is KDF_CK of the ratchet (HMAC-SHA256 with 0x01 / 0x02, `chainStep`), so message keys
 * are forward-secure; a receiver who has a chain can read it, which is why every remaining member
 * creates a new sender key after a removal (see group-state `needsRotation`). Because the chain key
 * is shared by all members, authenticity comes from the signature, not from the AEAD: the receiver
 * verifies it (strict RFC 8032) before it derives any key, so a member cannot pose as another and a
 * forged message cannot make a receiver step the chain.
 *
 * Both encrypt and decrypt are pure: they return the next state, and a failure leaves the given
 * state as it was. No rng is taken by encrypt: the key and nonce come from the chain and Ed25519
 * signatures are deterministic.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { equalBytes } from '@noble/curves/utils.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ByteReader, ByteWriter, expectBytes, randomFrom, type Rng } from './bytes';
import { keyForCounter, type ReceivingChain } from './chains';
import {
  AEAD_KEY_LENGTH,
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  KEY_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  PROTOCOL_VERSION,
  SIGNATURE_LENGTH,
} from './constants';
import { CryptoError } from './errors';
import { assertIdentityKey, verify } from './identity';
import { chainStep, expandMessageKeySeed } from './kdf';
import { expectKind } from './wire';

/** Kind bytes of the sender-key encodings; distinct from every pairwise `Kind` (tested). */
export const SenderKeyKind = {
  distribution: 0x10,
  message: 0x11,
  senderRecord: 0x12,
  receiverRecord: 0x13,
} as const;

export const GROUP_ID_LENGTH = 32;
/** The last iteration a chain may send; past it the sender must create a new sender key. */
export const MAX_SENDER_KEY_ITERATION = 0xffff_fffe;

/** Separates group message keys from pairwise ones even if a chain key were ever reused. */
const MESSAGE_KEYS_INFO = utf8ToBytes('Wardline_v1_SenderKeyMessageKeys');
/** version, kind, group id, epoch, chain id, iteration. */
export const GROUP_MESSAGE_HEADER_LENGTH = 2 + GROUP_ID_LENGTH + 4 + 4 + 4;
const MAX_CIPHERTEXT = MAX_PLAINTEXT_LENGTH + AEAD_TAG_LENGTH;
const DISTRIBUTION_LENGTH = GROUP_MESSAGE_HEADER_LENGTH + KEY_LENGTH + KEY_LENGTH;

/** Which group and membership epoch a sender key was created for. */
export interface SenderKeyContext {
  readonly groupId: Uint8Array;
  readonly epoch: number;
}

/** The sending side, kept by the device that created it. */
export interface SenderKeyState extends SenderKeyContext {
  /** Random, names this chain to receivers (a sender has a new one after each rotation). */
  readonly chainId: number;
  /** Iteration of the next message to send. */
  readonly iteration: number;
  readonly chainKey: Uint8Array;
  readonly signingKey: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };
}

/** The receiving side of one sender's chain, kept by each member device. */
export interface SenderKeyReceiverState extends SenderKeyContext {
  readonly chainId: number;
  readonly signingPublicKey: Uint8Array;
  /** Iteration of the next message expected. */
  readonly iteration: number;
  readonly chainKey: Uint8Array;
  /** Message key seeds of iterations not yet received, oldest first (bounded as in the ratchet). */
  readonly skipped: ReadonlyMap<number, Uint8Array>;
}

export interface GroupMessage {
  readonly groupId: Uint8Array;
  readonly epoch: number;
  readonly chainId: number;
  readonly iteration: number;
  /** Version through iteration: authenticated by the AEAD and the signature. */
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Everything the signature covers: the whole message but the signature. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

export function createSenderKey(context: SenderKeyContext, rng: Rng): SenderKeyState {
  const groupId = expectBytes(context.groupId, GROUP_ID_LENGTH, 'group id').slice();
  checkU32(context.epoch, 'epoch');
  const id = randomFrom(rng, 4);
  const chainId = (((id[0] ?? 0) << 24) | ((id[1] ?? 0) << 16) | ((id[2] ?? 0) << 8) | (id[3] ?? 0)) >>> 0;
  const chainKey = randomFrom(rng, KEY_LENGTH);
  const secretKey = randomFrom(rng, KEY_LENGTH);
  const signingKey = { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  return { groupId, epoch: context.epoch, chainId, iteration: 0, chainKey, signingKey };
}

/**
 * The distribution message for `state` at its current iteration: a member who receives it can
 * read this sender's messages from now on, not earlier ones. Send it over pairwise sessions only.
 */
export function senderKeyDistribution(state: SenderKeyState): Uint8Array {
  return writeChainFields(new ByteWriter(DISTRIBUTION_LENGTH), SenderKeyKind.distribution, state)
    .put(state.signingKey.publicKey)
    .finish();
}

/**
 * Parses a distribution message (received over a pairwise session) into a receiver state. The
 * caller keeps an existing state for the same sender and chain id rather than replacing it: an
 * older iteration would re-open keys already used, letting replays through.
 */
export function processSenderKeyDistribution(bytes: Uint8Array): SenderKeyReceiverState {
  const what = 'sender key distribution';
  const { r, groupId, epoch, chainId, iteration, chainKey } = readChainFields(bytes, SenderKeyKind.distribution, what);
  const signingPublicKey = r.take(KEY_LENGTH, 'signing key').slice();
  r.end();
  // A small-order signing key would let a member forge signatures that verify under it.
  assertIdentityKey(signingPublicKey, 'sender signing key');
  if (iteration > MAX_SENDER_KEY_ITERATION) throw new CryptoError('malformed', `${what}: iteration out of range`);
  return { groupId, epoch, chainId, signingPublicKey, iteration, chainKey, skipped: new Map() };
}

/**
 * Encrypts one group message. `ad` must contain the sender's user and device ids (the receiver
 * takes them from the authenticated envelope), so a member who re-distributes another member's
 * sender key as its own cannot have that member's messages shown under its name. The group id,
 * epoch, chain id and iteration are always bound as well (header in the AD, and signed).
 */
export function groupEncrypt(
  state: SenderKeyState,
  plaintext: Uint8Array,
  ad: Uint8Array,
): { state: SenderKeyState; message: Uint8Array } {
  if (!(plaintext instanceof Uint8Array)) throw new CryptoError('invalid_argument', 'plaintext must be a Uint8Array');
  if (!(ad instanceof Uint8Array)) throw new CryptoError('invalid_argument', 'ad must be a Uint8Array');
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new CryptoError('invalid_argument', `plaintext is ${plaintext.length} bytes (max ${MAX_PLAINTEXT_LENGTH})`);
  }
  if (state.iteration > MAX_SENDER_KEY_ITERATION) {
    throw new CryptoError('invalid_argument', 'sender key chain exhausted: create a new sender key');
  }
  const { messageKeySeed, nextChainKey } = chainStep(state.chainKey);
  const header = writeHeader(new ByteWriter(GROUP_MESSAGE_HEADER_LENGTH), SenderKeyKind.message, state).finish();
  const ciphertext = cipher(messageKeySeed, header, ad).encrypt(plaintext);
  const signed = new ByteWriter(header.length + 4 + ciphertext.length).put(header).sized32(ciphertext).finish();
  const signature = ed25519.sign(signed, state.signingKey.secretKey);
  return {
    state: { ...state, iteration: state.iteration + 1, chainKey: nextChainKey },
    message: concatBytes(signed, signature),
  };
}

/**
 * Decrypts one group message with the sender's receiver state. Checks, in order: the encoding,
 * that it is for this group, epoch and chain (`unknown_sender_key`), the signature
 * (`bad_signature`), the iteration (`duplicate`, `too_far_ahead`), then the AEAD.
 */
export function groupDecrypt(
  state: SenderKeyReceiverState,
  message: Uint8Array,
  ad: Uint8Array,
): { state: SenderKeyReceiverState; plaintext: Uint8Array } {
  if (!(ad instanceof Uint8Array)) throw new CryptoError('invalid_argument', 'ad must be a Uint8Array');
  const parsed = parseGroupMessage(message);
  if (!equalBytes(parsed.groupId, state.groupId) || parsed.epoch !== state.epoch || parsed.chainId !== state.chainId) {
    throw new CryptoError('unknown_sender_key', 'group message is for another group, epoch or sender key');
  }
  if (!verify(state.signingPublicKey, parsed.signed, parsed.signature)) {
    throw new CryptoError('bad_signature', 'group message signature does not verify');
  }
  const chain: ReceivingChain = {
    ratchetKey: state.signingPublicKey,
    chainKey: state.chainKey,
    index: state.iteration,
    skipped: state.skipped,
  };
  const found = keyForCounter(chain, parsed.iteration);
  let plaintext: Uint8Array;
  try {
    plaintext = cipher(found.messageKeySeed, parsed.header, ad).decrypt(parsed.ciphertext);
  } catch (cause) {
    throw new CryptoError('decrypt_failed', 'group message authentication failed', { cause });
  }
  const next = found.chain;
  return { state: { ...state, iteration: next.index, chainKey: next.chainKey, skipped: next.skipped }, plaintext };
}

export function parseGroupMessage(bytes: Uint8Array): GroupMessage {
  const what = 'group message';
  expectKind(bytes, SenderKeyKind.message, what);
  const r = new ByteReader(bytes, what);
  const header = r.take(GROUP_MESSAGE_HEADER_LENGTH, 'header');
  const h = new ByteReader(header, what);
  h.take(2, 'preamble');
  const groupId = h.take(GROUP_ID_LENGTH, 'group id');
  const epoch = h.u32('epoch');
  const chainId = h.u32('chain id');
  const iteration = h.u32('iteration');
  if (iteration > MAX_SENDER_KEY_ITERATION) throw new CryptoError('malformed', `${what}: iteration out of range`);
  const ciphertext = r.sized32(AEAD_TAG_LENGTH, MAX_CIPHERTEXT, 'ciphertext');
  const signature = r.take(SIGNATURE_LENGTH, 'signature');
  r.end();
  const signed = bytes.subarray(0, bytes.length - SIGNATURE_LENGTH);
  return { groupId, epoch, chainId, iteration, header, ciphertext, signed, signature };
}

/** The fields every sender-key encoding but the message starts with: the header, then the chain key. */
export interface ChainFields {
  readonly groupId: Uint8Array;
  readonly epoch: number;
  readonly chainId: number;
  readonly iteration: number;
  readonly chainKey: Uint8Array;
}

/** Writes the header fields and the chain key (distribution and both store records). */
export function writeChainFields(w: ByteWriter, kind: number, state: ChainFields): ByteWriter {
  return writeHeader(w, kind, state).put(state.chainKey);
}

/** Reads what writeChainFields wrote; the reader is left at the kind's own fields. */
export function readChainFields(bytes: Uint8Array, kind: number, what: string): ChainFields & { r: ByteReader } {
  expectKind(bytes, kind, what);
  const r = new ByteReader(bytes, what);
  r.take(2, 'preamble');
  const groupId = r.take(GROUP_ID_LENGTH, 'group id').slice();
  const epoch = r.u32('epoch');
  const chainId = r.u32('chain id');
  const iteration = r.u32('iteration');
  const chainKey = r.take(KEY_LENGTH, 'chain key').slice();
  return { r, groupId, epoch, chainId, iteration, chainKey };
}

function writeHeader(w: ByteWriter, kind: number, state: Omit<ChainFields, 'chainKey'>): ByteWriter {
  return w.u8(PROTOCOL_VERSION).u8(kind).put(state.groupId).u32(state.epoch).u32(state.chainId).u32(state.iteration);
}

function cipher(messageKeySeed: Uint8Array, header: Uint8Array, ad: Uint8Array): ReturnType<typeof xchacha20poly1305> {
  const okm = expandMessageKeySeed(messageKeySeed, MESSAGE_KEYS_INFO, AEAD_KEY_LENGTH + AEAD_NONCE_LENGTH);
  return xchacha20poly1305(okm.subarray(0, AEAD_KEY_LENGTH), okm.subarray(AEAD_KEY_LENGTH), concatBytes(header, ad));
}

export function checkU32(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new CryptoError('invalid_argument', `${what} must be a u32, got ${value}`);
  }
}
