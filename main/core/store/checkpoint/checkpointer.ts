import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { SqliteHandle } from '../connection';
import { WAL_AUTOCHECKPOINT_PAGES } from '../connection';
import { CHECKPOINT_POLICY } from './loop';
import type { CheckpointPolicy, FromCheckpointer, ToCheckpointer } from './loop';

export interface CheckpointerOptions {
  /**
   * The compiled checkpoint-worker entry. Defaults to the sibling source file (tsx: tests, demo,
   * benchmark); a bundled app passes the URL of its built worker file.
   */
  workerUrl?: URL;
  policy?: CheckpointPolicy;
  /** Where a failed checkpoint or a lost thread is reported (never with row data). */
  warn?: (message: string) => void;
}

/**
 * WAL checkpoints on a thread of their own. SQLite normally checkpoints inside the commit that
 * pushes the WAL past its limit, and with SQLCipher that copy is the dearest thing the store does:
 * every page is decrypted as it is read from the WAL and encrypted again as it is written to the
 * database (~40 µs a page here, against ~17 µs unencrypted), so a 10,000-page checkpoint froze
 * the committing thread, the app's main thread, for ~0.4 s. Here the store's connection stops
 * checkpointing once the thread is ready, the thread runs PASSIVE checkpoints beside it, and if
 * the thread is ever lost the connection goes back to checkpointing itself, so the WAL never
 * grows unchecked.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #closed: Promise<void>;
  #db: SqliteHandle | null;
  #stopping = false;

  /** `key` null: a plain database, for the benchmark's baseline (its own workerUrl). */
  constructor(db: SqliteHandle, path: string, key: Uint8Array | null, opts: CheckpointerOptions = {}) {
    this.#db = db;
    const url = opts.workerUrl ?? new URL('./worker.ts', import.meta.url);
    // A copy of the key, transferred (not cloned): the worker wipes it once SQLCipher has it.
    const copy = key && new Uint8Array(key);
    this.#worker = new Worker(url, {
      ...(url.pathname.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {}),
      workerData: { path, key: copy, policy: opts.policy ?? CHECKPOINT_POLICY },
      transferList: copy ? [copy.buffer] : [],
    });
    // Checkpoints never keep the process alive: an interrupted one is redone at the next open.
    this.#worker.unref();
    const warn = opts.warn ?? (() => undefined);
    this.#closed = new Promise((resolve) => {
      this.#worker.on('message', (message: FromCheckpointer) => {
        if (message.type === 'ready') this.#db?.pragma('wal_autocheckpoint = 0');
        else if (message.type === 'catch-up') this.#catchUp(warn);
        else if (message.type === 'warn') warn(message.message);
        else if (message.type === 'closed') resolve();
      });
      this.#worker.on('error', (error) => warn(`checkpoint thread failed: ${error.message}`));
      this.#worker.on('exit', () => {
        if (!this.#stopping) this.#fallBack();
        resolve();
      });
    });
  }

  #catchUpMs = 0;

  /** Time the thread has spent checkpointing so far, in ms (the benchmark reports it). */
  get busyMs(): number {
    return this.#worker.performance.eventLoopUtilization().active;
  }

  /** Time the store's own thread has spent on catch-up passes so far, in ms (likewise). */
  get catchUpMs(): number {
    return this.#catchUpMs;
  }

  /**
   * After the store's own connection has closed: a last TRUNCATE checkpoint, then the thread
   * closes its connection, dropping the key. Resolves when it has, so the profile folder can be
   * erased or reopened.
   */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#db = null;
    this.#worker.postMessage({ type: 'close' } satisfies ToCheckpointer);
    return this.#closed;
  }

  /**
   * The thread has copied all but the last few frames of a long WAL and waits: one PASSIVE pass
   * here, between two of this thread's writes, copies the rest, so the next write rewinds the log.
   */
  #catchUp(warn: (message: string) => void): void {
    const started = performance.now();
    try {
      if (this.#db?.open) this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      warn(`catch-up checkpoint failed: ${(error as Error).message}`);
    }
    this.#catchUpMs += performance.now() - started;
    if (!this.#stopping) this.#worker.postMessage({ type: 'caught-up' } satisfies ToCheckpointer);
  }

  #fallBack(): void {
    if (this.#db?.open) this.#db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
}
