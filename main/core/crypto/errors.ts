/**
 * The one error type crypto throws. Callers branch on `code`, never on message text, so every
 * failure of untrusted input (parsing, signatures, decryption) is reported through it rather than
 * as an exception from inside a primitive.
 */
export type CryptoErrorCode =
  /** A signature by the identity key does not verify (bundle prekeys). */
  | 'bad_signature'
  /** A public key is the wrong length, not on the curve, low order, or gives an all-zero secret. */
  | 'invalid_key'
  /** Bytes do not parse as the structure they claim to be. */
  | 'malformed'
  /** The version or kind byte is one this build does not speak. */
  | 'unsupported_version'
  /** Authentication failed: tampered, wrong session, or garbage. */
  | 'decrypt_failed'
  /** This message (or the one-time prekey it names) was already used. */
  | 'duplicate'
  /** The message would require skipping more message keys than allowed. */
  | 'too_far_ahead'
  /** A prekey bundle without a post-quantum prekey: PQXDH refuses to fall back to X3DH. */
  | 'no_pq_prekey'
  /** The identity key presented is not the one the caller expected for this peer. */
  | 'identity_mismatch'
  /** An initial message names a prekey id this device does not hold. */
  | 'unknown_prekey'
  /** A caller-supplied argument is out of range (an rng returning the wrong length, a bad count). */
  | 'invalid_argument'
  /** A group message names a group, epoch or sender-key chain this receiver state is not for. */
  | 'unknown_sender_key'
  /** A group change names an epoch other than the group's current one: re-base it and resend. */
  | 'stale_epoch'
  /** A group change names the current epoch but another state (wrong hash or group): a fork. */
  | 'state_mismatch'
  /** A group change's author is not certified for the key, not a member, or not an admin. */
  | 'not_authorized'
  /** A well-formed group change that cannot apply (limits, unknown member, last admin). */
  | 'invalid_change';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';

  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCryptoError(error: unknown, code?: CryptoErrorCode): error is CryptoError {
  return error instanceof CryptoError && (code === undefined || error.code === code);
}
