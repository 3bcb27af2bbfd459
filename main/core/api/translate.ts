import { CertificateError } from '../../../protocol/certificate';
import { isCryptoError } from '../crypto';
import { EnrolmentError } from '../messaging/account';
import { GroupError } from '../messaging/groups';
import { RelayRequestError } from '../net/relay-client';
import { RuntimeError } from '../runtime/runtime';
import { isVaultError } from '../vault';
import { ApiError } from './errors';

/**
 * The errors of the areas below, as the renderer's codes and plain sentences. Anything not listed
 * is unexpected and stays an 'internal' error with its details only in main's log.
 */
export function translate(err: unknown): ApiError | null {
  if (isVaultError(err)) {
    switch (err.code) {
      case 'wrong_pin':
        return new ApiError('wrong_pin', 'That PIN is not right.', err.attemptsLeft);
      case 'erased':
        return new ApiError('erased', 'This profile was erased after too many wrong PINs. Enrol again with a new code from IT.');
      case 'not_found':
        return new ApiError('not_found', 'That profile is no longer on this workstation.');
      case 'locked':
        return new ApiError('locked', 'Your profile is locked. Enter your PIN to continue.');
      case 'pin_policy':
        return new ApiError('invalid_input', err.message);
      case 'tampered':
      case 'corrupt':
        return new ApiError('unavailable', 'This profile cannot be opened safely on this workstation. Ask IT to check it.');
      default:
        return new ApiError('unavailable', 'This workstation cannot protect profiles right now. Ask IT to check it.');
    }
  }
  if (err instanceof RuntimeError) return new ApiError(err.code === 'locked' ? 'locked' : 'not_found', err.message);
  if (err instanceof EnrolmentError || err instanceof CertificateError) return new ApiError('relay_refused', err.message);
  if (err instanceof RelayRequestError) {
    if (err.code === 'disconnected' || err.code === 'timeout') return new ApiError('offline', 'Wardline cannot reach the relay right now. Your message stays queued.');
    if (err.code.startsWith('enrolment_code')) return new ApiError('relay_refused', 'That enrolment code is not valid (it may have expired or been used). Ask IT for a new one.');
    return new ApiError('relay_refused', `The relay refused: ${err.message}`);
  }
  if (err instanceof GroupError) {
    if (err.code === 'not_member') return new ApiError('not_member', 'You are no longer a member of this group.');
    if (err.code === 'too_many_devices') return new ApiError('too_large', 'This group has more workstations than one change can reach.');
    return new ApiError('invalid_input', err.message);
  }
  if (err instanceof RangeError) return new ApiError('invalid_input', err.message);
  return null;
}

/**
 * A group change refused on this workstation before it is signed: crypto's own checks of the
 * group state (group-state.ts) are what every member would apply, so they are the clinician's
 * answer too. Only for the groups handlers: elsewhere a CryptoError is unexpected.
 */
export function translateGroupChange(err: unknown): ApiError | null {
  if (isCryptoError(err, 'not_authorized')) {
    return new ApiError('not_authorized', err.message.includes('not a member') ? 'You are no longer a member of this group.' : 'Only a group admin can do that.');
  }
  if (isCryptoError(err, 'invalid_change') || isCryptoError(err, 'invalid_argument')) {
    return new ApiError('invalid_input', `That change cannot be made to the group: ${err.message}.`);
  }
  return translate(err);
}
