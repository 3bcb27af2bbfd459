/**
 * Wardline's protocol engine: PQXDH session set-up, the Double Ratchet, the wire and store
 * encodings, safety numbers. Pure functions over Uint8Array; randomness comes in as `rng`
 * (pass randomBytes from @noble/hashes/utils.js). See docs/protocol.md.
 */
export { CryptoError, isCryptoError, type CryptoErrorCode } from './errors';
export type { Rng } from './bytes';
export {
  MAX_FORWARD_JUMP,
  MAX_PLAINTEXT_LENGTH,
  MAX_RECEIVING_CHAINS,
  MAX_SKIPPED_PER_CHAIN,
  MAX_SKIPPED_TOTAL,
  PROTOCOL_VERSION,
} from './constants';

export { generateIdentityKeyPair, type IdentityKeyPair } from './identity';
export type { KeyPair } from './dh';
export type { OneTimePreKey, PqPreKey, PreKeyBundle, SignedPreKey } from './prekeys';
export { verifyBundle } from './prekeys';
export {
  addOneTimePreKeys,
  bundleFor,
  generateDeviceKeys,
  publishedPreKeys,
  rotateSignedPreKeys,
  type DeviceKeys,
  type PreKeyCounts,
  type PublishedPreKeys,
} from './device-keys';
export { deserializeDeviceKeys, serializeDeviceKeys } from './device-keys-codec';

export { decryptMessage, encryptMessage, initiateSession, type PendingPreKey, type Session } from './session';
export { acceptInitialMessage, type AcceptedMessage } from './accept';
export { deserializeSession, serializeSession } from './session-codec';
export {
  acceptIntoRecord,
  decryptWithRecord,
  deserializeSessionRecord,
  MAX_PREVIOUS_SESSIONS,
  serializeSessionRecord,
  type SessionRecord,
} from './session-record';

export {
  encodeBundle,
  messageKind,
  parseBundle,
  parseInitialMessage,
  parseRatchetMessage,
  type InitialMessage,
  type MessageKind,
  type RatchetMessage,
} from './wire';

export {
  formatSafetyNumber,
  matchesScannedSafetyNumber,
  safetyNumber,
  type FingerprintParty,
  type SafetyNumber,
} from './fingerprint';

export {
  createSenderKey,
  groupDecrypt,
  groupEncrypt,
  MAX_SENDER_KEY_ITERATION,
  parseGroupMessage,
  processSenderKeyDistribution,
  SenderKeyKind,
  senderKeyDistribution,
  type GroupMessage,
  type SenderKeyContext,
  type SenderKeyReceiverState,
  type SenderKeyState,
} from './sender-keys';
export {
  deserializeSenderKey,
  deserializeSenderKeyReceiver,
  serializeSenderKey,
  serializeSenderKeyReceiver,
} from './sender-keys-codec';
export {
  acceptsSenderKeyEpoch,
  applyChange,
  createGroup,
  needsRotation,
  rebase,
  signChange,
  stateHash,
  type AuthorIsCertified,
  type ChangeAuthor,
} from './group-state';
export {
  deserializeGroupState,
  MAX_GROUP_MEMBERS,
  parseGroupChange,
  serializeGroupState,
  type GroupChange,
  type GroupRole,
  type GroupState,
  type SignedGroupChange,
} from './group-codec';
