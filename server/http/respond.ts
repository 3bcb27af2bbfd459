/** JSON responses. Errors use the protocol's { error: { code, message } } shape. */
import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../protocol/relay';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

/** HTTP status for a protocol error code raised by a service. */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid_payload':
      return 400;
    case 'auth_failed':
    case 'unauthenticated':
      return 401;
    case 'forbidden':
    case 'user_disabled':
    case 'device_revoked':
    case 'enrolment_code_invalid':
    case 'enrolment_code_expired':
    case 'enrolment_code_used':
      return 403;
    case 'not_found':
      return 404;
    case 'identity_key_in_use':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    default:
      return 500;
  }
}
