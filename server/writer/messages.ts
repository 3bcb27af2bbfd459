/**
 * Messages between the relay's main thread and its writer thread (writer/worker.ts). Payloads
 * travel as the base64 strings the client sent; the writer thread decodes them, keeping that work
 * off the main thread.
 */
import type { z } from 'zod';
import type { EnvelopeSendResult } from '../../protocol/relay';
import type { AdminEvent } from '../db/devices';

export type SendResult = z.infer<typeof EnvelopeSendResult>;

/**
 * One request's envelopes. Each payload travels once and envelopes name it by index: a group
 * message's single payload would otherwise be copied to the writer thread once per recipient
 * (structured clone does not share strings).
 */
export interface BatchSend {
  sender: { deviceId: string; userId: string };
  payloads: string[];
  envelopes: { to: string; senderMessageId: string; payload: number }[];
  /** group.commit: stored all together, and only if `epoch` is the group's head. groupId in base64. */
  commit?: { groupId: string; epoch: number };
}

export interface Batch {
  id: number;
  now: number;
  sends: BatchSend[];
  acks: { deviceId: string; seqs: number[] }[];
  touches: [deviceId: string, at: number][];
}

/**
 * Outcome of one envelope, compact because a batch can hold thousands: the seq assigned when
 * stored (> 0), or one of the codes below. The main thread already has everything else.
 */
export type Outcome = number;
export const DUPLICATE = 0;
export const UNKNOWN_DEVICE = -1;
export const QUEUE_FULL = -2;

/**
 * What became of a BatchSend: one outcome per envelope; for a commit also the group's head after
 * it, and `stale` when it named another epoch (then nothing was stored and outcomes is empty).
 */
export interface SendOutcome {
  outcomes: Outcome[];
  head?: number;
  stale?: boolean;
}

export type ToWriter =
  | { type: 'batch'; batch: Batch }
  | { type: 'admin'; event: AdminEvent }
  | { type: 'sweep'; ackedBefore: number; undeliveredBefore?: number }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; sends: SendOutcome[]; acks: number[] }
  | { type: 'failed'; id: number; message: string }
  | { type: 'swept'; tombstones: number }
  | { type: 'warn'; message: string }
  | { type: 'closed' };

export interface WriterOptions {
  dataDir: string;
  sync: 'full' | 'normal';
  queueCap: number;
  queueCapBytes: number;
}
