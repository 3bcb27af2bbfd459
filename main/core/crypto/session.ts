/**
 * A pairwise session: the two identities, the PQXDH set-up it came from and the Double Ratchet
 * state. Encrypt and decrypt are pure: they return the next session, which the caller commits
 * in the same transaction as whatever it derived from the message.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { type Rng } from './bytes';
import { MAX_PLAINTEXT_LENGTH } from './constants';
import { CryptoError } from './errors';
import { pqxdhInitiate } from './pqxdh';
import type { PreKeyBundle } from './prekeys';
import { initiatorRatchet, ratchetDecrypt, ratchetEncrypt, type RatchetState } from './ratchet';
import { assertIdentityKey, type IdentityKeyPair } from './identity';
import { encodeInitialMessage, parseRatchetMessage } from './wire';

/** The PQXDH fields the initiator repeats on every message until the responder first replies. */
export interface PendingPreKey {
  readonly signedPreKeyId: number;
  readonly oneTimePreKeyId: number | undefined;
  readonly pqPreKeyId: number;
  readonly kemCiphertext: Uint8Array;
}

export interface Session {
  readonly localIdentity: Uint8Array;
  readonly remoteIdentity: Uint8Array;
  /** The initiator's PQXDH ephemeral public key: names this set-up on both sides. */
  readonly baseKey: Uint8Array;
  readonly ratchet: RatchetState;
  /** Initiator only, until a message from the responder decrypts. */
  readonly pendingPreKey: PendingPreKey | null;
}

/**
 * Starts a session from a peer's bundle. `expectedRemoteIdentity` is the identity key the
 * caller trusts for this device (from the directory certificate): a bundle naming any other
 * key is refused before any work, so the relay cannot substitute one.
 */
export function initiateSession(
  identity: IdentityKeyPair,
  bundle: PreKeyBundle,
  expectedRemoteIdentity: Uint8Array,
  rng: Rng,
): Session {
  assertIdentityKey(expectedRemoteIdentity, 'expected identity key');
  assertIdentityKey(bundle.identityKey, 'bundle identity key');
  if (!equalBytes(bundle.identityKey, expectedRemoteIdentity)) {
    throw new CryptoError('identity_mismatch', 'bundle identity key is not the expected one');
  }
  const { secrets, baseKey, kemCiphertext } = pqxdhInitiate(identity, bundle, rng);
  const ratchet = initiatorRatchet(secrets, bundle.signedPreKey.publicKey, rng);
  return {
    localIdentity: identity.publicKey.slice(),
    remoteIdentity: bundle.identityKey.slice(),
    baseKey,
    ratchet,
    pendingPreKey: {
      signedPreKeyId: bundle.signedPreKey.id,
      oneTimePreKeyId: bundle.oneTimePreKey?.id,
      pqPreKeyId: bundle.pqPreKey.id,
      kemCiphertext,
    },
  };
}

/**
 * Encrypts one message. Until the peer has replied, the result is an initial message (PQXDH
 * fields + ratchet message) so that whichever of them arrives first can open the session.
 */
export function encryptMessage(session: Session, plaintext: Uint8Array, rng: Rng): { session: Session; message: Uint8Array } {
  if (!(plaintext instanceof Uint8Array)) throw new CryptoError('invalid_argument', 'plaintext must be a Uint8Array');
  // The receiver refuses longer ciphertexts at parse time, so never produce one.
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new CryptoError('invalid_argument', `plaintext is ${plaintext.length} bytes (max ${MAX_PLAINTEXT_LENGTH})`);
  }
  const direction = { sender: session.localIdentity, receiver: session.remoteIdentity };
  const { state, message } = ratchetEncrypt(session.ratchet, plaintext, direction, rng);
  const pending = session.pendingPreKey;
  const wire =
    pending === null
      ? message
      : encodeInitialMessage({ identityKey: session.localIdentity, baseKey: session.baseKey, ...pending, message });
  return { session: { ...session, ratchet: state }, message: wire };
}

/**
 * Decrypts a ratchet message. On any failure it throws a CryptoError and, being pure, leaves
 * `session` exactly as it was: tampered, replayed, foreign and garbage input change nothing.
 */
export function decryptMessage(session: Session, message: Uint8Array): { session: Session; plaintext: Uint8Array } {
  const parsed = parseRatchetMessage(message);
  const direction = { sender: session.remoteIdentity, receiver: session.localIdentity };
  const { state, plaintext } = ratchetDecrypt(session.ratchet, parsed, direction);
  // A message from the responder proves it has the session: stop re-sending PQXDH fields.
  return { session: { ...session, ratchet: state, pendingPreKey: null }, plaintext };
}
