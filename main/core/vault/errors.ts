/**
 * Why the vault refused, as a code the UI can turn into a plain sentence. Messages never contain
 * a PIN, a key or a device secret.
 */
export type VaultErrorCode =
  | 'wrong_pin' // the PIN did not unwrap the key; attemptsLeft says how many tries remain
  | 'erased' // the wrapped key was destroyed (too many wrong PINs): the clinician must enrol again
  | 'tampered' // profile.json or its attempt ledger failed authentication, or a restored copy cannot be reconciled
  | 'corrupt' // profile.json is missing fields or unreadable
  | 'not_found'
  | 'not_removable' // remove() was asked to delete a profile that still opens
  | 'locked' // the session was locked: its store is gone until the PIN is entered again
  | 'pin_policy' // the new PIN does not meet the policy (too short)
  | 'kdf_too_weak' // KDF parameters below the floor
  | 'insecure_provider_refused' // an insecure device-secret provider was offered where a secure one is required
  | 'device_secret_unavailable'; // the OS keystore cannot encrypt or decrypt the device secret

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    /** Set with 'wrong_pin'. */
    readonly attemptsLeft?: number,
  ) {
    super(message);
  }
}

export function isVaultError(e: unknown, code?: VaultErrorCode): e is VaultError {
  return e instanceof VaultError && (code === undefined || e.code === code);
}
