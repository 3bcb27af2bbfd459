import type { ErrorCode } from '../../../protocol/result';

/**
 * An error a handler expects and the renderer can act on (wrong PIN, locked profile). Anything
 * else thrown by a handler becomes a generic 'internal' error; its details stay in main's log.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly attemptsLeft?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
