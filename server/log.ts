/**
 * Structured JSON logs (pino) to stdout. The relay logs events and ids, never envelope payloads,
 * keys, signatures, enrolment codes or tokens. Call sites pass only ids and counts; the redact
 * list is a second line of defence should a whole object ever be logged by mistake.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_FIELDS = [
  'payload',
  'identityKey',
  'signature',
  'proof',
  'code',
  'token',
  'certificate',
  'publicKey',
  'secretKey',
  'signedPrekey',
  'pqLastResortPrekey',
  'oneTimePrekeys',
  'pqOneTimePrekeys',
  'authorization',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'wardline-relay' },
    redact: { paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: '[redacted]' },
  });
}
