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
import { requestChecks } from './request-checks';
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
  const check = requestChecks[name];
  // No closures per request: each packet of the hot envelope events would allocate them.
  session.socket.on(name as string, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (args.pop() as AckFn) : undefined;
    if (args.length !== 1) return answerError(session, name, ack, { code: 'invalid_payload', message: 'expected exactly one payload object' });
    const input = args[0];
    let request: ParsedRequest<N>;
    if (check?.(input)) {
      request = input as ParsedRequest<N>;
    } else {
      const parsed = schema.safeParse(input);
      if (!parsed.success) return answerError(session, name, ack, { code: 'invalid_payload', message: describeIssue(parsed.error.issues[0]) });
      request = parsed.data as ParsedRequest<N>;
    }
    void run(session, name, handler, request, ack, log);
  });
}

async function run<N extends RelayRequestName>(session: Session, name: N, handler: Handler<N>, request: ParsedRequest<N>, ack: AckFn | undefined, log: Logger): Promise<void> {
  try {
    const result = await handler(request, session);
    ack?.({ ok: true, ...result });
  } catch (error) {
    if (!(error instanceof RelayFailure)) log.error({ err: error, event: name, deviceId: session.device?.deviceId }, 'request handler failed');
    answerError(session, name, ack, toWireError(error));
  }
}

function answerError(session: Session, name: string, ack: AckFn | undefined, error: RelayError): void {
  if (ack) ack({ ok: false, error });
  else refuse(session.socket, name, undefined, error);
}
