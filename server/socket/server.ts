/**
 * socket.io on the relay's HTTP(S) server. WebSocket transport only (no long-polling: one code
 * path, and no HTTP request per poll to authenticate). Packets larger than maxHttpBufferSize close
 * the connection at the transport; it is set well above the envelope limit so that an oversized
 * envelope still reaches the handler and gets a clear envelope_too_large refusal.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { RelayContext } from '../context';
import { registerAttachments } from './attachments';
import { registerAuth, sendChallenge } from './auth';
import { registerDirectory } from './directory';
import { registerEnvelopes } from './envelopes';
import { registerPrekeys } from './prekeys';
import { installGate } from './requests';
import { Session } from './session';

export function createSocketServer(http: HttpServer, ctx: RelayContext): Server {
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: Math.ceil((ctx.config.maxEnvelopeBytes * 4) / 3) * 4 + 64 * 1024,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectTimeout: ctx.config.authTimeoutMs,
    perMessageDeflate: false, // payloads are ciphertext: compression gains nothing and costs CPU
  });

  io.on('connection', (socket) => {
    const session = new Session(socket, ctx.config.rateRequests);
    installGate(session, ctx.log);
    registerAuth(session, ctx);
    registerDirectory(session, ctx);
    registerPrekeys(session, ctx);
    registerEnvelopes(session, ctx);
    registerAttachments(session, ctx);
    socket.on('disconnect', () => ctx.registry.detach(session));
    sendChallenge(session, ctx);
  });
  return io;
}
