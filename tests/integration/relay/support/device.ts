/**
 * A test device: an Ed25519 identity key, random opaque prekeys, and a real socket.io-client
 * connection speaking the protocol in protocol/relay.ts.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { io, type Socket } from 'socket.io-client';
import {
  authChallengeMessage,
  enrolmentProofMessage,
  relayOrigin,
  type Ack,
  type EnrolRequest,
  type EnrolResponse,
  type RelayPush,
  type RelayPushName,
  type RelayRequest,
  type RelayRequestName,
  type RelayResponse,
} from '../../../../protocol/relay';

type Delivered = RelayPush<'envelope.deliver'>['envelopes'][number];

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const randomB64 = (length: number): string => randomBytes(length).toString('base64');

export function prekey(id: number, size = 32) {
  return { id, publicKey: randomB64(size), signature: randomB64(64) };
}

export class TestDevice {
  readonly secretKey: Uint8Array;
  readonly identityKey: Uint8Array;
  enrolment: EnrolResponse | undefined;

  constructor(public url: string) {
    const keys = ed25519.keygen();
    this.secretKey = keys.secretKey;
    this.identityKey = keys.publicKey;
  }

  get deviceId(): string {
    if (!this.enrolment) throw new Error('device not enrolled');
    return this.enrolment.deviceId;
  }

  enrolRequest(code: string, oneTime = 5): EnrolRequest {
    return {
      code,
      identityKey: b64(this.identityKey),
      proof: b64(ed25519.sign(enrolmentProofMessage(code, this.identityKey), this.secretKey)),
      signedPrekey: prekey(1),
      pqLastResortPrekey: prekey(1, 1569),
      oneTimePrekeys: Array.from({ length: oneTime }, (_, i) => ({ id: 100 + i, publicKey: randomB64(32) })),
      pqOneTimePrekeys: Array.from({ length: oneTime }, (_, i) => prekey(200 + i, 1569)),
    };
  }

  async enrol(code: string, oneTime = 5): Promise<EnrolResponse> {
    const response = await postEnrol(this.url, this.enrolRequest(code, oneTime));
    if (response.status !== 201) throw new Error(`enrolment failed: ${response.status} ${JSON.stringify(response.body)}`);
    this.enrolment = response.body as EnrolResponse;
    return this.enrolment;
  }

  /** Opens a socket and waits for the challenge, without answering it. */
  async connect(): Promise<Connection> {
    const socket = io(this.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const connection = new Connection(socket);
    connection.challenge = await connection.next('auth.challenge');
    return connection;
  }

  sign(nonceB64: string, deviceId = this.deviceId): string {
    const message = authChallengeMessage(relayOrigin(this.url), deviceId, Buffer.from(nonceB64, 'base64'));
    return b64(ed25519.sign(message, this.secretKey));
  }

  /** Connects and authenticates; throws if the relay refuses. */
  async online(): Promise<Connection> {
    const connection = await this.connect();
    const result = await connection.request('auth.prove', { deviceId: this.deviceId, signature: this.sign(connection.challenge.nonce) });
    if (!result.ok) throw new Error(`auth refused: ${result.error.code}`);
    return connection;
  }
}

export async function postEnrol(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/v1/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

export class Connection {
  challenge!: RelayPush<'auth.challenge'>;
  /** Every push received, in order, for assertions such as "got nothing but the challenge". */
  readonly pushes: { event: string; payload: unknown }[] = [];
  readonly delivered: Delivered[] = [];
  private readonly waiters: { event: string; resolve: (payload: unknown) => void }[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.pushes.push({ event, payload });
      if (event === 'envelope.deliver') this.delivered.push(...(payload as RelayPush<'envelope.deliver'>).envelopes);
      const index = this.waiters.findIndex((waiter) => waiter.event === event);
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(payload);
    });
  }

  next<N extends RelayPushName>(event: N, timeoutMs = 10_000): Promise<RelayPush<N>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ event, resolve: (payload) => (clearTimeout(timer), resolve(payload as RelayPush<N>)) });
    });
  }

  request<N extends RelayRequestName>(name: N, payload: RelayRequest<N>): Promise<Ack<RelayResponse<N>>> {
    return this.socket.timeout(10_000).emitWithAck(name, payload) as Promise<Ack<RelayResponse<N>>>;
  }

  /** Sends arbitrary packets, for attacks that the typed request() would not allow. */
  raw(event: string, ...args: unknown[]): Promise<unknown> {
    return this.socket.timeout(10_000).emitWithAck(event, ...args) as Promise<unknown>;
  }

  async waitForDeliveries(count: number, timeoutMs = 10_000): Promise<Delivered[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered.length < count) {
      if (Date.now() > deadline) throw new Error(`got ${this.delivered.length} of ${count} deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.delivered;
  }

  disconnected(): Promise<string> {
    if (!this.socket.connected) return Promise.resolve('already');
    return new Promise((resolve) => this.socket.once('disconnect', (reason) => resolve(reason)));
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Enrols a device for a fresh code. */
export async function enrolledDevice(url: string, code: string, oneTime = 5): Promise<TestDevice> {
  const device = new TestDevice(url);
  await device.enrol(code, oneTime);
  return device;
}
