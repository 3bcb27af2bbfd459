import type { ApiErrorBody, Result } from '../../../protocol/result';

const UNREACHABLE: ApiErrorBody = { code: 'unavailable', message: 'Wardline could not be reached. Try again in a moment.' };

/**
 * Awaits a bridge call and never throws: a rejected promise (the host went away) becomes the
 * same kind of Result error every other failure is, so screens have one path to show it.
 */
export async function call<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await run();
  } catch {
    return { ok: false, error: UNREACHABLE };
  }
}

/** A Result error as one sentence for the screen. */
export function errorText(error: ApiErrorBody): string {
  return error.message || 'Something went wrong.';
}
