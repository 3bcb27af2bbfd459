import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { EnrolResponse, HTTP_PATHS, HttpErrorBody, DirectoryKeyResponse } from '../../../protocol/relay';
import type { EnrolRequest, RelayError } from '../../../protocol/relay';
import { RelayRequestError } from './relay-client';

/**
 * The relay's HTTP side: enrolment, the directory key, and attachment blobs. Blobs stream in
 * both directions (node:http, not fetch, for upload progress and back-pressure) so a 25 MiB file
 * never needs a second copy in memory.
 */
export async function enrolDevice(relayUrl: string, body: EnrolRequest): Promise<EnrolResponse> {
  const res = await send(new URL(HTTP_PATHS.enrol, relayUrl), 'POST', { 'content-type': 'application/json' }, [Buffer.from(JSON.stringify(body))]);
  const json = await readJson(res);
  if (res.statusCode !== 200 && res.statusCode !== 201) throw errorFrom(json, res.statusCode);
  const parsed = EnrolResponse.safeParse(json);
  if (!parsed.success) throw new RelayRequestError('bad_response', 'The relay answered enrolment with something unexpected.');
  return parsed.data;
}

export async function fetchDirectoryKey(relayUrl: string): Promise<string> {
  const res = await send(new URL(HTTP_PATHS.directoryKey, relayUrl), 'GET', {}, []);
  const json = await readJson(res);
  const parsed = DirectoryKeyResponse.safeParse(json);
  if (res.statusCode !== 200 || !parsed.success) throw errorFrom(json, res.statusCode);
  return parsed.data.publicKey;
}

export interface BlobTransfer {
  relayUrl: string;
  path: string;
  token: string;
  onProgress?: (loaded: number, total: number) => void;
}

/** PUTs the chunks in order, announcing the exact size first; rejects unless the relay stored it. */
export async function uploadBlob(t: BlobTransfer, size: number, chunks: Iterable<Uint8Array>): Promise<void> {
  const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) };
  const res = await send(new URL(t.path, t.relayUrl), 'PUT', headers, chunks, (n) => t.onProgress?.(n, size));
  const json = await readJson(res);
  if (res.statusCode !== 200 && res.statusCode !== 201) throw errorFrom(json, res.statusCode);
}

/** GETs a blob, handing each piece to `onData` as it arrives (back-pressure: onData is synchronous). */
export async function downloadBlob(t: BlobTransfer, onData: (piece: Uint8Array) => void): Promise<number> {
  const res = await send(new URL(t.path, t.relayUrl), 'GET', { authorization: `Bearer ${t.token}` }, []);
  if (res.statusCode !== 200) throw errorFrom(await readJson(res), res.statusCode);
  const total = Number(res.headers['content-length'] ?? 0);
  let loaded = 0;
  for await (const piece of res as AsyncIterable<Buffer>) {
    loaded += piece.length;
    onData(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
    t.onProgress?.(loaded, total);
  }
  return loaded;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Iterable<Uint8Array>,
  onWritten?: (bytes: number) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(url, { method, headers, timeout: 60_000 }, resolve);
    req.on('error', (err) => reject(new RelayRequestError('disconnected', `Could not reach the relay: ${err.message}`)));
    req.on('timeout', () => req.destroy(new Error('timed out')));
    void (async () => {
      let written = 0;
      for (const chunk of body) {
        if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', () => r()));
        written += chunk.length;
        onWritten?.(written);
      }
      req.end();
    })().catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
  });
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of res as AsyncIterable<Buffer>) {
    size += piece.length;
    // An answer to a JSON request is small; refuse to buffer a hostile endless one.
    if (size > 1024 * 1024) throw new RelayRequestError('bad_response', 'The relay answer is too large.');
    parts.push(piece);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return null;
  }
}

function errorFrom(json: unknown, status: number | undefined): RelayRequestError {
  const parsed = HttpErrorBody.safeParse(json);
  if (parsed.success) {
    const e: RelayError = parsed.data.error;
    return new RelayRequestError(e.code, e.message, e.retryAfterMs);
  }
  return new RelayRequestError('bad_response', `The relay answered HTTP ${status ?? '?'}.`);
}
