/**
 * A refusal the client should see: carries a protocol error code. Anything else thrown inside a
 * handler is a bug and reaches the client only as "internal", without details.
 */
import type { ErrorCode, RelayError } from '../protocol/relay';

export class RelayFailure extends Error {
  override name = 'RelayFailure';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    /** stale_epoch: the group's head, so a client can re-base without parsing the message. */
    readonly epoch?: number,
  ) {
    super(message);
  }

  toWire(): RelayError {
    const wire: RelayError = { code: this.code, message: this.message };
    if (this.retryAfterMs !== undefined) wire.retryAfterMs = this.retryAfterMs;
    if (this.epoch !== undefined) wire.epoch = this.epoch;
    return wire;
  }
}

export function toWireError(error: unknown): RelayError {
  return error instanceof RelayFailure ? error.toWire() : { code: 'internal', message: 'internal error' };
}

/** "field.path: message" for the first zod issue, so a client sees which field was wrong. */
export function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'invalid payload';
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}
