/**
 * socket.io on the relay's HTTP(S) server. WebSocket transport only (no long-polling: one code
 * path, and no HTTP request per poll to authenticate). Packets larger than maxHttpBufferSize close
 * the connection at the transport; it is set well above the envelope limit so that an oversized
 * envelope still reaches the handler and gets a clear envelope_too_large refusal, and so that a
 * group.commit to a full group (MAX_GROUP_DEVICES envelopes of a few KB each) fits in one packet.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { MAX_GROUP_DEVICES } from '../../protocol/relay';
import type { RelayContext } from '../context';
import { registerAttachments } from './attachments';
import { registerAuth, sendChallenge } from './auth';
import { registerDirectory } from './directory';
import { registerEnvelopes } from './envelopes';
import { registerGroups } from './groups';
import { registerPrekeys } from './prekeys';
import { installGate } from './requests';
import { Session } from './session';

export function createSocketServer(http: HttpServer, ctx: RelayContext): Server {
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: transportLimit(ctx.config.maxEnvelopeBytes),
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectTimeout: ctx.config.authTimeoutMs,
    perMessageDeflate: false, // payloads are ciphertext: compression gains nothing and costs CPU
    allowRequest: (request, answer) => {
      const refusal = ctx.pendingAuth.admit(request);
      if (refusal !== undefined) refused(request.socket.remoteAddress, refusal);
      answer(refusal ?? null, refusal === undefined);
    },
  });

  // A flood of refusals is logged once a minute, with how many there were.
  let refusals = 0;
  let loggedAt = 0;
  function refused(address: string | undefined, reason: string): void {
    refusals += 1;
    const now = Date.now();
    if (now - loggedAt < 60_000) return;
    ctx.log.warn({ address, refusals, waiting: ctx.pendingAuth.waiting, reason }, 'connections refused: too many waiting to authenticate');
    loggedAt = now;
    refusals = 0;
  }

  io.on('connection', (socket) => {
    const session = new Session(socket, ctx.config.rateRequests);
    installGate(session, ctx.log);
    registerAuth(session, ctx);
    registerDirectory(session, ctx);
    registerPrekeys(session, ctx);
    registerEnvelopes(session, ctx);
    registerGroups(session, ctx);
    registerAttachments(session, ctx);
    socket.on('disconnect', () => ctx.registry.detach(session));
    sendChallenge(session, ctx);
  });
  return io;
}

/**
 * Four maximum envelopes in base64, or a group.commit of MAX_GROUP_DEVICES envelopes with 3 KiB
 * of JSON each (a sender-key distribution or membership change is 2 KB of base64 or less, plus
 * the device id and message id), whichever is larger: 3 MB with the default limits. The
 * per-envelope limit still applies to each envelope inside; this only bounds one packet.
 */
function transportLimit(maxEnvelopeBytes: number): number {
  const envelopes = Math.ceil((maxEnvelopeBytes * 4) / 3) * 4;
  // A commit to new devices carries PQXDH's KEM ciphertext (~2.1 KB in base64) beside the change
  // (clients split big adds so a change names at most 25 people), and joining devices also get
  // the group state (up to ~27 KB for 500 members): 8 KiB a device on average is ample.
  const groupCommit = MAX_GROUP_DEVICES * 8 * 1024;
  return Math.max(envelopes, groupCommit) + 64 * 1024;
}
