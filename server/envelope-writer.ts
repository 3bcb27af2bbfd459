/**
 * Group commit through the writer thread (writer/worker.ts). Sends and acknowledgements that
 * arrive while a batch is being committed wait and form the next batch, so under load each
 * commit (and each fsync under synchronous=FULL) carries many envelopes, and the main thread never
 * waits for the disk. One batch is in flight at a time, so commit order is arrival order: senders
 * are acknowledged, and recipients pushed, only after the commit that made an envelope durable.
 * (Not to be confused with group.commit, a messaging group's membership change: commitGroupChange.)
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { AdminEvent } from './db/devices';
import { RelayFailure } from './failure';
import type { Logger } from './log';
import type { DeliveryPump, LiveEnvelope } from './socket/delivery';
import type { SessionRegistry } from './socket/registry';
import { DUPLICATE, QUEUE_FULL, UNKNOWN_DEVICE, packBatch, type Batch, type BatchSend, type FromWriter, type SendResult, type ToWriter, type WriterOptions } from './writer/messages';

export interface OutgoingEnvelope {
  to: string;
  senderMessageId: string;
  /** base64, as received: decoded by the writer thread, and pushed live as is. */
  payload: string;
}

type Sender = { deviceId: string; userId: string };

/** Runs a write transaction of the main thread at a moment the writer thread holds no lock. */
export type WriteTurn = <T>(write: () => T) => Promise<T>;

interface SendJob {
  send: BatchSend;
  /** head: a commit's group head after it. */
  resolve: (reply: { results: SendResult[]; head?: number }) => void;
  reject: (error: Error) => void;
}

interface AckJob {
  deviceId: string;
  seqs: number[];
  resolve: (acked: number) => void;
  reject: (error: Error) => void;
}

/** Acknowledgements alone are not urgent: wait a little so they share a commit with others. */
const ACK_ONLY_DELAY_MS = 20;
const CHECKPOINT_INTERVAL_MS = 500;

export class EnvelopeWriter {
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private sends: SendJob[] = [];
  private acks: AckJob[] = [];
  private touches = new Map<string, number>();
  private inFlight: { batch: number; sends: SendJob[]; acks: AckJob[]; now: number } | undefined;
  private nextBatch = 1;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly waiters = new Map<FromWriter['type'], (message: FromWriter) => void>();
  /** Main-thread writes waiting for the batch or sweep in flight to end (between()). */
  private turns: (() => void)[] = [];
  /** A clean-up sweep posted to the writer thread and not yet answered. */
  private sweeping = false;
  private closing = false;

  constructor(
    options: WriterOptions,
    private readonly registry: SessionRegistry,
    private readonly delivery: DeliveryPump,
    private readonly log: Logger,
    onFatal: (error: Error) => void,
  ) {
    // The checkpoint thread asks the writer thread directly for its catch-up passes (checkpointer.ts).
    const { port1, port2 } = new MessageChannel();
    const writerUrl = new URL('./writer/worker.ts', import.meta.url);
    this.worker = new Worker(writerUrl, { workerData: { ...options, checkpoints: port1 }, transferList: [port1], ...threadOptions(writerUrl) });
    this.worker.on('message', (message: FromWriter) => this.onMessage(message));
    const checkpointerUrl = new URL('./writer/checkpointer.ts', import.meta.url);
    this.checkpointer = new Worker(checkpointerUrl, {
      workerData: { dataDir: options.dataDir, sync: options.sync, intervalMs: CHECKPOINT_INTERVAL_MS, writer: port2 },
      transferList: [port2],
      ...threadOptions(checkpointerUrl),
    });
    this.checkpointer.on('message', (message: FromWriter) => {
      if (message.type === 'warn') this.log.warn({ detail: message.message }, 'checkpoint thread');
    });
    for (const thread of [this.worker, this.checkpointer]) {
      thread.on('error', onFatal);
      thread.on('exit', (code) => {
        if (!this.closing) onFatal(new Error(`writer thread exited with code ${code}`));
      });
    }
  }

  /** Resolves once the writer thread has opened the database. */
  async ready(): Promise<void> {
    const checkpointerReady = new Promise((resolve) => this.checkpointer.once('message', resolve));
    await Promise.all([this.expect('ready'), checkpointerReady]);
  }

  async send(sender: Sender, envelopes: OutgoingEnvelope[]): Promise<SendResult[]> {
    return (await this.enqueue(separately(sender, envelopes))).results;
  }

  /** One payload for many devices (a sender-key group message): each gets its own queue row. */
  async sendGroup(sender: Sender, message: { recipients: string[]; senderMessageId: string; payload: string }): Promise<SendResult[]> {
    const envelopes = message.recipients.map((to) => ({ to, senderMessageId: message.senderMessageId, payload: 0 }));
    return (await this.enqueue({ sender, payloads: [message.payload], envelopes })).results;
  }

  /**
   * A group membership change: stored all together if `epoch` is the group's head (or the group
   * has none yet), refused with stale_epoch otherwise. Resolves with the group's next epoch.
   */
  async commitGroupChange(sender: Sender, commit: { groupId: string; epoch: number }, envelopes: OutgoingEnvelope[]): Promise<{ results: SendResult[]; epoch: number }> {
    const { results, head } = await this.enqueue({ ...separately(sender, envelopes), commit });
    if (head === undefined) throw new Error('writer answered a group commit without its head');
    return { results, epoch: head };
  }

  private enqueue(send: BatchSend): Promise<{ results: SendResult[]; head?: number }> {
    return new Promise((resolve, reject) => {
      this.sends.push({ send, resolve, reject });
      this.schedule(true);
    });
  }

  /**
   * Runs `write` (a write transaction on the main thread's own connection: prekeys, enrolment,
   * attachments, clean-up) between two batches. While a batch is in flight the writer thread
   * holds the database's write lock, and a main-thread write would wait for it inside SQLite's busy
   * handler, which sleeps this thread, and every socket with it (measured: up to 8-18 ms at 5,300
   * envelopes/s). Here it waits on a promise instead, and runs as soon as the batch is answered,
   * before the next one is posted. A clean-up sweep on the writer thread (sweep()) holds the lock
   * too, for up to two statements over 10,000 rows each, and is waited for alike. (Admin events
   * are single small statements, and the CLI's writes come from another process: both are left to
   * the busy timeout.)
   */
  async between<T>(write: () => T): Promise<T> {
    while (this.inFlight || this.sweeping) await new Promise<void>((resolve) => this.turns.push(resolve));
    return write();
  }

  /** Erases acknowledged envelopes of this device; resolves with how many were its pending ones. */
  ack(deviceId: string, seqs: number[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.acks.push({ deviceId, seqs, resolve, reject });
      this.schedule(false);
    });
  }

  /** Records when a device was last seen, in the next commit. */
  touch(deviceId: string, at: number): void {
    this.touches.set(deviceId, at);
    this.schedule(false);
  }

  adminEvent(event: AdminEvent): void {
    this.post({ type: 'admin', event });
  }

  async sweep(ackedBefore: number, undeliveredBefore?: number): Promise<number> {
    if (this.sweeping) return 0; // the one in flight does the same work
    const reply = this.expect('swept');
    this.sweeping = true;
    this.post({ type: 'sweep', ackedBefore, undeliveredBefore });
    try {
      const message = await reply;
      return message.type === 'swept' ? message.tombstones : 0;
    } finally {
      this.sweeping = false;
      this.releaseTurns();
    }
  }

  /** Commits whatever is queued, then stops the writer thread. */
  async close(): Promise<void> {
    while (this.inFlight || this.sends.length > 0 || this.acks.length > 0 || this.touches.size > 0) {
      if (!this.inFlight) this.dispatch();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.closing = true;
    const closed = this.expect('closed');
    this.post({ type: 'close' });
    await closed;
    await new Promise<void>((resolve) => {
      this.checkpointer.on('message', (message: FromWriter) => {
        if (message.type === 'closed') resolve();
      });
      this.checkpointer.postMessage({ type: 'close' });
    });
  }

  private schedule(urgent: boolean): void {
    if (this.inFlight || this.immediate) return; // the reply to the current batch dispatches the next
    if (urgent) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // After the current I/O phase: every packet read in this turn joins the batch.
      this.immediate = setImmediate(() => this.dispatch());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.dispatch(), ACK_ONLY_DELAY_MS);
    }
  }

  private dispatch(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.inFlight || (this.sends.length === 0 && this.acks.length === 0 && this.touches.size === 0)) return;
    const sends = this.sends;
    const acks = this.acks;
    this.sends = [];
    this.acks = [];
    const now = Date.now();
    const batch: Batch = {
      id: this.nextBatch++,
      now,
      sends: sends.map((job) => job.send),
      acks,
      touches: [...this.touches],
    };
    this.touches.clear();
    this.inFlight = { batch: batch.id, sends, acks, now };
    const packed = packBatch(batch);
    this.worker.postMessage({ type: 'batch', batch: packed } satisfies ToWriter, [packed.numbers.buffer]);
  }

  private onMessage(message: FromWriter): void {
    if (message.type === 'done' || message.type === 'failed') return this.settle(message);
    if (message.type === 'warn') return void this.log.warn({ detail: message.message }, 'writer thread');
    const waiter = this.waiters.get(message.type);
    this.waiters.delete(message.type);
    waiter?.(message);
  }

  private settle(message: Extract<FromWriter, { type: 'done' | 'failed' }>): void {
    const flight = this.inFlight;
    this.inFlight = undefined;
    if (!flight || flight.batch !== message.id) throw new Error('writer replies out of order');
    if (message.type === 'failed') {
      // Rolled back: nothing in this batch is stored, so nobody is acknowledged.
      this.log.error({ detail: message.message, sends: flight.sends.length, acks: flight.acks.length }, 'envelope batch failed');
      const failure = new RelayFailure('internal', 'could not store; retry');
      for (const job of [...flight.sends, ...flight.acks]) job.reject(failure);
    } else {
      const { outcomes, acks, commits } = message.outcomes;
      const heads = new Map(commits.map((commit) => [commit.send, commit]));
      const fresh = new Map<string, LiveEnvelope[]>();
      let k = 0;
      flight.sends.forEach((job, i) => {
        const { send } = job;
        const first = k;
        k += send.envelopes.length;
        const commit = heads.get(i);
        if (commit?.stale) {
          job.reject(new RelayFailure('stale_epoch', `the group is at epoch ${commit.head}, not ${send.commit?.epoch}; nothing was stored`, undefined, commit.head));
          return;
        }
        const results = send.envelopes.map((envelope, j): SendResult => {
          const outcome = outcomes[first + j] ?? UNKNOWN_DEVICE;
          if (outcome === DUPLICATE) return { to: envelope.to, senderMessageId: envelope.senderMessageId, status: 'duplicate' };
          if (outcome < 0) return { to: envelope.to, senderMessageId: envelope.senderMessageId, status: 'rejected', error: outcome === QUEUE_FULL ? 'queue_full' : 'unknown_device' };
          const live: LiveEnvelope = {
            id: outcome,
            senderUserId: send.sender.userId,
            senderDeviceId: send.sender.deviceId,
            senderMessageId: envelope.senderMessageId,
            sentAt: flight.now,
            payload: send.payloads[envelope.payload] ?? '',
          };
          const list = fresh.get(envelope.to);
          if (list) list.push(live);
          else fresh.set(envelope.to, [live]);
          return { to: envelope.to, senderMessageId: envelope.senderMessageId, status: 'stored' };
        });
        job.resolve({ results, head: commit?.head });
      });
      flight.acks.forEach((job, i) => job.resolve(acks[i] ?? 0));
      for (const [deviceId, rows] of fresh) {
        const session = this.registry.get(deviceId);
        if (session) this.delivery.live(session, rows);
      }
    }
    // Waiting main-thread writes run now (as microtasks, before the next batch is dispatched).
    this.releaseTurns();
    if (this.sends.length > 0) this.schedule(true);
    else if (this.acks.length > 0 || this.touches.size > 0) this.schedule(false);
  }

  /** Wakes every waiting between(); each runs, or waits again if the writer is still busy. */
  private releaseTurns(): void {
    const turns = this.turns;
    this.turns = [];
    for (const turn of turns) turn();
  }

  private post(message: ToWriter): void {
    this.worker.postMessage(message);
  }

  private expect(type: FromWriter['type']): Promise<FromWriter> {
    return new Promise((resolve) => this.waiters.set(type, resolve));
  }
}

/**
 * Run from source (tsx), a thread inherits tsx from the process's own flags; a host that loads the
 * relay's modules some other way (the tests' runner) must add it for the threads' TypeScript.
 */
function threadOptions(url: URL): { execArgv?: string[] } {
  if (!url.pathname.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return {};
  return { execArgv: [...process.execArgv, '--import', 'tsx'] };
}

/** Envelopes with a payload each, in the writer's shape (every payload named by its index). */
function separately(sender: Sender, envelopes: OutgoingEnvelope[]): BatchSend {
  return {
    sender,
    payloads: envelopes.map((envelope) => envelope.payload),
    envelopes: envelopes.map((envelope, i) => ({ to: envelope.to, senderMessageId: envelope.senderMessageId, payload: i })),
  };
}
