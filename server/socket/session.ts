/**
 * One socket's state. A socket starts unauthenticated with a single-use challenge; after
 * auth.prove it is bound to one device for the rest of its life.
 */
import type { Socket } from 'socket.io';
import { TokenBucket } from '../rate-limit';

export interface Challenge {
  nonce: Buffer;
  expiresAt: number;
}

export class Session {
  /** Set once by auth.prove; never changes afterwards. */
  device: { deviceId: string; userId: string } | undefined;
  /** Consumed by the first auth.prove, whatever its outcome: a challenge is answered once. */
  challenge: Challenge | undefined;
  /** Requests refused before authentication; too many and the socket is closed. */
  strikes = 0;
  readonly requests: TokenBucket;

  // Delivery state (socket/delivery.ts): everything up to `cursor` has been pushed on this socket.
  cursor = 0;
  caughtUp = false;
  readonly inflight = new Set<number>();
  /** When the device last acknowledged, or was pushed something with nothing in flight (ms). */
  progressAt = 0;

  constructor(
    readonly socket: Socket,
    requestRate: number,
  ) {
    this.requests = new TokenBucket(requestRate, Math.max(1, Math.ceil(requestRate * 4)));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The bound device; handlers run only after the gate has checked authentication. */
  get id(): { deviceId: string; userId: string } {
    if (!this.device) throw new Error('session is not authenticated');
    return this.device;
  }
}
