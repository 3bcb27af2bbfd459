import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import {
  authChallengeMessage,
  decodeBase64,
  encodeBase64,
  relayOrigin,
  relayPushes,
  relayRequests,
} from '../../../protocol/relay';
import type { RelayError, RelayPush, RelayPushName, RelayRequest, RelayRequestName, RelayResponse } from '../../../protocol/relay';

/** A request the relay answered with an error, or that never got an answer. */
export class RelayRequestError extends Error {
  constructor(
    readonly code: RelayError['code'] | 'timeout' | 'disconnected' | 'bad_response',
    message: string,
    readonly retryAfterMs?: number,
    /** With stale_epoch: the group's head at the relay, the epoch the next commit must name. */
    readonly epoch?: number,
  ) {
    super(message);
    this.name = 'RelayRequestError';
  }
}

export interface RelayClientOptions {
  url: string;
  deviceId: string;
  /** Signs with the device identity key; the key itself never reaches this module. */
  sign(message: Uint8Array): Uint8Array;
  requestTimeoutMs?: number;
  /** Reconnect backoff bounds; socket.io adds jitter. */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

export type RelayState = 'connecting' | 'authenticated' | 'disconnected' | 'revoked' | 'closed';

type PushListener<N extends RelayPushName> = (payload: RelayPush<N>) => void;

/**
 * One device's connection to the relay: socket.io with reconnection and backoff, the challenge
 * signature on every (re)connect, typed requests whose answers are validated against
 * protocol/relay.ts, and typed pushes. It knows nothing of sessions or the store; messaging
 * drives it.
 */
export class RelayClient {
  private readonly socket: Socket;
  private stateValue: RelayState = 'connecting';
  private readonly stateListeners = new Set<(state: RelayState) => void>();
  private readonly pushListeners = new Map<RelayPushName, Set<(payload: unknown) => void>>();
  private readonly log: NonNullable<RelayClientOptions['log']>;

  constructor(private readonly options: RelayClientOptions) {
    this.log = options.log ?? (() => undefined);
    this.socket = io(options.url, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: options.reconnectDelayMs ?? 500,
      reconnectionDelayMax: options.reconnectDelayMaxMs ?? 10_000,
      randomizationFactor: 0.5,
      autoConnect: false,
    });
    this.socket.on('auth.challenge', (raw: unknown) => void this.answerChallenge(raw));
    this.socket.on('disconnect', (reason) => {
      if (this.stateValue === 'revoked' || this.stateValue === 'closed') return;
      this.log('relay.disconnected', { reason });
      this.setState('disconnected');
    });
    this.socket.io.on('reconnect_attempt', () => this.stateValue !== 'revoked' && this.setState('connecting'));
    for (const name of Object.keys(relayPushes) as RelayPushName[]) {
      if (name === 'auth.challenge') continue;
      this.socket.on(name, (raw: unknown) => this.dispatchPush(name, raw));
    }
    this.onPush('device.revoked', () => {
      // A revoked device must not keep knocking; the messaging layer will wipe if told to.
      this.setState('revoked');
      this.socket.disconnect();
    });
  }

  get state(): RelayState {
    return this.stateValue;
  }

  connect(): void {
    this.setState('connecting');
    this.socket.connect();
  }

  close(): void {
    this.setState('closed');
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
    this.socket.disconnect();
  }

  onState(listener: (state: RelayState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onPush<N extends RelayPushName>(name: N, listener: PushListener<N>): () => void {
    let set = this.pushListeners.get(name);
    if (!set) this.pushListeners.set(name, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Resolves once authenticated (at once if already). */
  whenAuthenticated(timeoutMs = 30_000): Promise<void> {
    if (this.stateValue === 'authenticated') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new RelayRequestError('timeout', 'The relay did not accept this device in time.'));
      }, timeoutMs);
      const off = this.onState((state) => {
        if (state === 'authenticated') {
          clearTimeout(timer);
          off();
          resolve();
        } else if (state === 'revoked' || state === 'closed') {
          clearTimeout(timer);
          off();
          reject(new RelayRequestError(state === 'revoked' ? 'device_revoked' : 'disconnected', `The relay connection is ${state}.`));
        }
      });
    });
  }

  /** Sends a request and validates the answer; refuses while not authenticated. */
  async request<N extends RelayRequestName>(name: N, payload: RelayRequest<N>): Promise<RelayResponse<N>> {
    if (this.stateValue !== 'authenticated') {
      throw new RelayRequestError('disconnected', `Not connected to the relay (${this.stateValue}).`);
    }
    return this.rawRequest(name, payload);
  }

  private rawRequest<N extends RelayRequestName>(name: N, payload: unknown): Promise<RelayResponse<N>> {
    const timeout = this.options.requestTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      this.socket.timeout(timeout).emit(name, payload, (err: Error | null, answer: unknown) => {
        if (err) return reject(new RelayRequestError('timeout', `The relay did not answer ${name} within ${timeout} ms.`));
        const ack = answer as { ok?: unknown; error?: RelayError } | null;
        if (!ack || typeof ack !== 'object') return reject(new RelayRequestError('bad_response', `Malformed answer to ${name}.`));
        if (ack.ok !== true) {
          const error = ack.error ?? { code: 'internal' as const, message: 'no error given' };
          const epoch = Number.isSafeInteger(error.epoch) && (error.epoch ?? -1) >= 0 ? error.epoch : undefined;
          return reject(new RelayRequestError(error.code, error.message, error.retryAfterMs, epoch));
        }
        const parsed = relayRequests[name].response.safeParse(ack);
        if (!parsed.success) return reject(new RelayRequestError('bad_response', `Malformed answer to ${name}.`));
        resolve(parsed.data as RelayResponse<N>);
      });
    });
  }

  private async answerChallenge(raw: unknown): Promise<void> {
    const challenge = relayPushes['auth.challenge'].safeParse(raw);
    if (!challenge.success) {
      this.log('relay.bad_challenge');
      return;
    }
    // Sign the origin we dialled, never the one the server names: that is what stops a relay in
    // the middle from reusing our answer elsewhere.
    const message = authChallengeMessage(relayOrigin(this.options.url), this.options.deviceId, decodeBase64(challenge.data.nonce));
    try {
      await this.rawRequest('auth.prove', { deviceId: this.options.deviceId, signature: encodeBase64(this.options.sign(message)) });
      this.setState('authenticated');
    } catch (err) {
      const code = err instanceof RelayRequestError ? err.code : 'internal';
      this.log('relay.auth_failed', { code });
      if (code === 'device_revoked' || code === 'user_disabled') {
        this.setState('revoked');
        this.socket.disconnect();
      }
    }
  }

  private dispatchPush(name: RelayPushName, raw: unknown): void {
    const parsed = relayPushes[name].safeParse(raw);
    if (!parsed.success) {
      this.log('relay.bad_push', { name });
      return;
    }
    for (const listener of this.pushListeners.get(name) ?? []) listener(parsed.data);
  }

  private setState(state: RelayState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
