/**
 * The relay's plain HTTP endpoints (socket.io handles /socket.io/ itself on the same server):
 *   GET  /health              liveness and a database check
 *   GET  /v1/directory-key    the directory public key clients pin
 *   POST /v1/enrol            one-time code + device keys -> device id and certificate
 *   PUT  /v1/attachments/:id  upload a blob (bearer token from the socket)
 *   GET  /v1/attachments/:id  download a blob (bearer token from the socket)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnrolRequest, HTTP_PATHS } from '../../protocol/relay';
import type { AttachmentService } from '../attachments';
import type { Db } from '../db/database';
import type { DirectoryKey } from '../directory-key';
import type { EnrolmentService } from '../enrolment';
import { describeIssue, RelayFailure } from '../failure';
import type { Logger } from '../log';
import { TokenBucket } from '../rate-limit';
import { createAttachmentHandler } from './attachments';
import { readJsonBody } from './body';
import { sendError, sendJson, statusFor } from './respond';

const ENROL_BODY_LIMIT = 2 * 1024 * 1024;

export interface RouterDeps {
  db: Db;
  directoryKey: DirectoryKey;
  enrolment: EnrolmentService;
  attachments: AttachmentService;
  log: Logger;
  connections: () => number;
  enrolRate: number;
}

export function createRouter(deps: RouterDeps) {
  const startedAt = Date.now();
  const attachmentHandler = createAttachmentHandler(deps.attachments, deps.log);
  // Codes carry 100 bits, so guessing is hopeless anyway; this keeps a flood from eating CPU
  // (every enrolment verifies a signature).
  const enrolBucket = new TokenBucket(deps.enrolRate, Math.max(1, Math.ceil(deps.enrolRate * 5)));

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://relay');
    try {
      if (url.pathname === HTTP_PATHS.health && req.method === 'GET') {
        deps.db.prepare('SELECT 1').get();
        return sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), connections: deps.connections() });
      }
      if (url.pathname === HTTP_PATHS.directoryKey && req.method === 'GET') {
        return sendJson(res, 200, { algorithm: 'ed25519', publicKey: Buffer.from(deps.directoryKey.publicKey).toString('base64') });
      }
      if (url.pathname === HTTP_PATHS.enrol && req.method === 'POST') return await enrol(req, res);
      if (url.pathname.startsWith(HTTP_PATHS.attachmentPrefix)) {
        const id = url.pathname.slice(HTTP_PATHS.attachmentPrefix.length);
        if (!/^[0-9a-f]{32}$/.test(id)) return sendError(res, 404, 'not_found', 'no such attachment');
        return await attachmentHandler(req, res, id);
      }
      sendError(res, 404, 'not_found', 'no such endpoint');
    } catch (error) {
      if (error instanceof RelayFailure) return sendError(res, statusFor(error.code), error.code, error.message);
      deps.log.error({ err: error, path: url.pathname }, 'http handler failed');
      sendError(res, 500, 'internal', 'internal error');
    }
  };

  async function enrol(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const wait = enrolBucket.take(now);
    if (wait > 0) throw new RelayFailure('rate_limited', 'too many enrolment attempts', wait);
    const parsed = EnrolRequest.safeParse(await readJsonBody(req, ENROL_BODY_LIMIT));
    if (!parsed.success) throw new RelayFailure('invalid_payload', describeIssue(parsed.error.issues[0]));
    try {
      const result = await deps.enrolment.enrol(parsed.data, now);
      deps.log.info({ userId: result.userId, deviceId: result.deviceId }, 'device enrolled');
      sendJson(res, 201, result);
    } catch (error) {
      if (error instanceof RelayFailure) deps.log.warn({ errorCode: error.code }, 'enrolment refused');
      throw error;
    }
  }
}
