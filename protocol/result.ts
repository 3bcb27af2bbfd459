/**
 * Every renderer-callable method answers with a Result: the renderer never sees a thrown
 * exception or a stack trace, only a code it can act on and a sentence it can show.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** After a wrong PIN: how many tries remain before the profile is erased. */
  attemptsLeft?: number;
}

/** Codes of the bridge itself, then of the areas behind it. */
export type ErrorCode =
  | 'unknown_method'
  | 'invalid_input'
  | 'forbidden_sender'
  | 'internal'
  | 'not_found'
  | 'locked'
  | 'wrong_pin'
  | 'erased'
  | 'policy_forbids'
  | 'unavailable'
  | 'too_large'
  | 'relay_refused'
  | 'offline'
  /** A group change only an admin may make (or by someone no longer in the group). */
  | 'not_authorized'
  /** The clinician has left or was removed from this group: it is read-only. */
  | 'not_member';

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
