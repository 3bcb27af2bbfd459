/**
 * Messages between the relay's main thread and its writer thread (writer/worker.ts). Payloads
 * travel as the base64 strings the client sent; the writer thread decodes them, keeping that work
 * off the main thread. Batches and their outcomes cross as flat arrays (packBatch, packOutcomes):
 * structured clone costs per object and per property name, and a batch holds thousands.
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
  | { type: 'batch'; batch: PackedBatch }
  | { type: 'admin'; event: AdminEvent }
  | { type: 'sweep'; ackedBefore: number; undeliveredBefore?: number }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcomes: PackedOutcomes }
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

/**
 * A Batch flattened: its strings in one array, its numbers in another, both read back in the
 * order packBatch wrote them. Per send: strings deviceId, userId, [groupId], payloads..., then
 * to and senderMessageId per envelope; numbers payload count, envelope count, epoch (-1: not a
 * group commit), then each envelope's payload index. Per ack: deviceId; seq count, seqs. Per
 * touch: deviceId; time.
 */
export interface PackedBatch {
  id: number;
  now: number;
  sends: number;
  acks: number;
  touches: number;
  strings: string[];
  numbers: Float64Array<ArrayBuffer>;
}

export function packBatch(batch: Batch): PackedBatch {
  const strings: string[] = [];
  const numbers: number[] = [];
  for (const send of batch.sends) {
    strings.push(send.sender.deviceId, send.sender.userId);
    if (send.commit) strings.push(send.commit.groupId);
    for (const payload of send.payloads) strings.push(payload);
    numbers.push(send.payloads.length, send.envelopes.length, send.commit ? send.commit.epoch : -1);
    for (const envelope of send.envelopes) {
      strings.push(envelope.to, envelope.senderMessageId);
      numbers.push(envelope.payload);
    }
  }
  for (const ack of batch.acks) {
    strings.push(ack.deviceId);
    numbers.push(ack.seqs.length);
    for (const seq of ack.seqs) numbers.push(seq);
  }
  for (const [deviceId, at] of batch.touches) {
    strings.push(deviceId);
    numbers.push(at);
  }
  const { id, now, sends, acks, touches } = batch;
  return { id, now, sends: sends.length, acks: acks.length, touches: touches.length, strings, numbers: Float64Array.from(numbers) };
}

export function unpackBatch(packed: PackedBatch): Batch {
  const { strings, numbers } = packed;
  let s = 0;
  let n = 0;
  const sends: BatchSend[] = [];
  for (let i = 0; i < packed.sends; i++) {
    const sender = { deviceId: strings[s++] ?? '', userId: strings[s++] ?? '' };
    const payloadCount = numbers[n++] ?? 0;
    const envelopeCount = numbers[n++] ?? 0;
    const epoch = numbers[n++] ?? -1;
    const commit = epoch >= 0 ? { groupId: strings[s++] ?? '', epoch } : undefined;
    const payloads = strings.slice(s, s + payloadCount);
    s += payloadCount;
    const envelopes: BatchSend['envelopes'] = [];
    for (let j = 0; j < envelopeCount; j++) envelopes.push({ to: strings[s++] ?? '', senderMessageId: strings[s++] ?? '', payload: numbers[n++] ?? 0 });
    sends.push(commit ? { sender, payloads, envelopes, commit } : { sender, payloads, envelopes });
  }
  const acks: Batch['acks'] = [];
  for (let i = 0; i < packed.acks; i++) {
    const deviceId = strings[s++] ?? '';
    const count = numbers[n++] ?? 0;
    acks.push({ deviceId, seqs: Array.from(numbers.subarray(n, n + count)) });
    n += count;
  }
  const touches: Batch['touches'] = [];
  for (let i = 0; i < packed.touches; i++) touches.push([strings[s++] ?? '', numbers[n++] ?? 0]);
  return { id: packed.id, now: packed.now, sends, acks, touches };
}

/**
 * A batch's outcomes flattened: `outcomes` holds exactly one per envelope of each send, in batch
 * order (a stale commit's are 0 and mean nothing); `acks` one count per ack; `commits` the group
 * commits' heads, by send index.
 */
export interface PackedOutcomes {
  outcomes: Float64Array<ArrayBuffer>;
  acks: Float64Array<ArrayBuffer>;
  commits: { send: number; head: number; stale: boolean }[];
}

export function packOutcomes(batch: Batch, result: { sends: SendOutcome[]; acks: number[] }): PackedOutcomes {
  const outcomes = new Float64Array(batch.sends.reduce((sum, send) => sum + send.envelopes.length, 0));
  const commits: PackedOutcomes['commits'] = [];
  let k = 0;
  batch.sends.forEach((send, i) => {
    const outcome = result.sends[i];
    if (outcome?.head !== undefined) commits.push({ send: i, head: outcome.head, stale: outcome.stale === true });
    for (let j = 0; j < send.envelopes.length; j++) outcomes[k++] = outcome?.stale ? 0 : (outcome?.outcomes[j] ?? UNKNOWN_DEVICE);
  });
  return { outcomes, acks: Float64Array.from(result.acks), commits };
}
