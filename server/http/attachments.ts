/**
 * HTTP upload (PUT) and download (GET) of attachment blobs, authorised by a single-use bearer
 * token from the socket. Uploads stream to a .part file and are refused with 413 the moment they
 * exceed the size declared when the token was issued; only a complete, fsynced file is published.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AttachmentService } from '../attachments';
import type { Logger } from '../log';
import { sendError, sendJson } from './respond';

class TooLarge extends Error {}

export function createAttachmentHandler(service: AttachmentService, log: Logger) {
  return async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const token = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '')?.[1];
    if (req.method === 'PUT') return upload(req, res, id, token);
    if (req.method === 'GET') return download(res, id, token);
    res.setHeader('allow', 'GET, PUT');
    sendError(res, 405, 'invalid_payload', 'method not allowed');
  };

  async function upload(req: IncomingMessage, res: ServerResponse, id: string, token: string | undefined): Promise<void> {
    const now = Date.now();
    const grant = token === undefined ? undefined : service.tokens.take(token, 'upload', id, now);
    const row = grant ? service.repo.get(id) : undefined;
    if (!grant || !row || row.state !== 'pending') return refuse(req, res, 401, 'unauthenticated', 'missing, expired or used upload token');
    const limit = row.size;
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      return refuse(req, res, 413, 'payload_too_large', `upload is limited to the declared ${limit} bytes`);
    }
    const part = service.partPath(id);
    fs.mkdirSync(path.dirname(part), { recursive: true, mode: 0o700 });
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > limit ? new TooLarge() : null, chunk);
      },
    });
    try {
      const written = pipeline(counter, fs.createWriteStream(part, { flags: 'wx', mode: 0o600 }));
      // Not pipeline(req, ...): on overflow that would destroy the socket before the 413 is sent.
      req.on('error', (error) => counter.destroy(error));
      req.on('close', () => {
        if (!req.complete) counter.destroy(new Error('client aborted upload'));
      });
      req.pipe(counter);
      await written;
      if (received !== limit) {
        fs.rmSync(part, { force: true });
        return sendError(res, 400, 'invalid_payload', `expected ${limit} bytes, received ${received}`);
      }
      // Durable before it is announced: fsync the data, then publish by rename. The fsync of up
      // to --max-attachment-bytes runs on libuv's thread pool: on this thread it would hold every
      // socket for as long as the disk takes to write the whole blob.
      const file = await fs.promises.open(part, 'r');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.promises.rename(part, service.blobPath(id));
      await service.complete(id);
      sendJson(res, 201, { id, size: received });
    } catch (error) {
      fs.rmSync(part, { force: true });
      if (error instanceof TooLarge) return refuse(req, res, 413, 'payload_too_large', `upload is limited to the declared ${limit} bytes`);
      log.warn({ attachmentId: id, err: (error as Error).message }, 'attachment upload failed');
      sendError(res, 400, 'invalid_payload', 'upload interrupted');
    }
  }

  async function download(res: ServerResponse, id: string, token: string | undefined): Promise<void> {
    const now = Date.now();
    const grant = token === undefined ? undefined : service.tokens.take(token, 'download', id, now);
    const row = grant ? service.repo.get(id) : undefined;
    if (!grant || !row || row.state !== 'complete') return sendError(res, 401, 'unauthenticated', 'missing, expired or used download token');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': row.size, 'cache-control': 'no-store' });
    try {
      await pipeline(fs.createReadStream(service.blobPath(id)), res);
      await service.fetched(id, grant.deviceId, Date.now());
    } catch (error) {
      log.warn({ attachmentId: id, err: (error as Error).message }, 'attachment download interrupted');
    }
  }
}

/** Answers, then closes the connection so the rest of an unwanted body is never read. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: 'unauthenticated' | 'payload_too_large', message: string): void {
  res.setHeader('connection', 'close');
  sendError(res, status, code, message);
  res.on('finish', () => req.destroy());
}
