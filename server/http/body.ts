/** Reads a JSON request body with a byte limit, so a client cannot make the relay buffer without end. */
import type { IncomingMessage } from 'node:http';
import { RelayFailure } from '../failure';

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new RelayFailure('invalid_payload', 'expected content-type application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RelayFailure('payload_too_large', `body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RelayFailure('payload_too_large', `body over ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new RelayFailure('invalid_payload', 'body is not valid JSON');
  }
}
