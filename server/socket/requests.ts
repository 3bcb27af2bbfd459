/**
 * The one gate every socket packet passes, and the request/ack plumbing. Before authentication
 * only auth.prove gets through; every other event is refused and, after a few, the socket is
 * closed. Payloads are validated against protocol/relay.ts before any handler runs, and a refusal
 * is answered to that request alone (ack, or a relay.error event when the client gave no ack).
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { relayRequests, type RelayError, type RelayRequestName, type RelayResponse } from '../../protocol/relay';
import { describeIssue, RelayFailure, toWireError } from '../failure';
import type { Logger } from '../log';
import type { Session } from './session';

type AckFn = (body: unknown) => void;
type ParsedRequest<N extends RelayRequestName> = z.output<(typeof relayRequests)[N]['request']>;
export type Handler<N extends RelayRequestName> = (
  request: ParsedRequest<N>,
  session: Session,
) => RelayResponse<N> | Promise<RelayResponse<N>>;

const MAX_STRIKES = 5;

export function refuse(socket: Socket, event: string, ack: AckFn | undefined, error: RelayError): void {
  if (ack) ack({ ok: false, error });
  else socket.emit('relay.error', { event, error });
}

/** socket.use middleware: unknown events, authentication, per-socket request rate. */
export function installGate(session: Session, log: Logger): void {
  const { socket } = session;
  socket.use((packet, next) => {
    const [event] = packet;
    const last: unknown = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as AckFn) : undefined;
    const name = typeof event === 'string' ? event : '';
    if (!Object.hasOwn(relayRequests, name)) {
      return strike(ack, name, { code: 'unknown_event', message: `unknown event ${JSON.stringify(name.slice(0, 64))}` });
    }
    if (!session.device && name !== 'auth.prove') {
      return strike(ack, name, { code: 'unauthenticated', message: 'authenticate with auth.prove first' });
    }
    const wait = session.requests.take(Date.now());
    if (wait > 0) return refuse(socket, name, ack, { code: 'rate_limited', message: 'too many requests', retryAfterMs: wait });
    next();
  });

  function strike(ack: AckFn | undefined, event: string, error: RelayError): void {
    refuse(socket, event, ack, error);
    if (session.device) return;
    session.strikes += 1;
    if (session.strikes >= MAX_STRIKES) {
      log.warn({ socketId: socket.id }, 'closing unauthenticated socket after repeated refused events');
      socket.disconnect(true);
    }
  }
}

/** Registers a validated request handler whose result (or refusal) goes back through the ack. */
export function onRequest<N extends RelayRequestName>(session: Session, name: N, handler: Handler<N>, log: Logger): void {
  const schema = relayRequests[name].request;
  session.socket.on(name as string, async (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (args.pop() as AckFn) : undefined;
    const reply = (body: { ok: true } | { ok: false; error: RelayError }) => {
      if (body.ok || ack) ack?.(body);
      else refuse(session.socket, name, undefined, body.error);
    };
    if (args.length !== 1) return reply({ ok: false, error: { code: 'invalid_payload', message: 'expected exactly one payload object' } });
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) return reply({ ok: false, error: { code: 'invalid_payload', message: describeIssue(parsed.error.issues[0]) } });
    try {
      const result = await handler(parsed.data as ParsedRequest<N>, session);
      reply({ ok: true, ...result });
    } catch (error) {
      if (!(error instanceof RelayFailure)) log.error({ err: error, event: name, deviceId: session.device?.deviceId }, 'request handler failed');
      reply({ ok: false, error: toWireError(error) });
    }
  });
}
