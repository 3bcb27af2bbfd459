import type { MessagePort } from 'node:worker_threads';
import type { SqliteHandle } from '../connection';

/** What the checkpoint thread reports to the store's thread. */
export type FromCheckpointer = { type: 'ready' } | { type: 'warn'; message: string } | { type: 'catch-up' } | { type: 'closed' };
export type ToCheckpointer = { type: 'caught-up' } | { type: 'close' };

export interface CheckpointPolicy {
  /** How often the thread copies committed WAL frames into the database file. */
  intervalMs: number;
  /**
   * The WAL is rewound (written from its start again) only when a write begins with every frame
   * already copied, which a writer that never pauses does not allow. Past this many frames the
   * thread asks the store's thread to copy the last few itself, between two of its own writes.
   */
  rewindFrames: number;
}

/** What the store's thread is asked to copy at most (~4 ms of cipher work). */
const CATCH_UP_FRAMES = 100;
/** PASSIVE passes in a row to bring what is left down to that. */
const CATCH_UP_PASSES = 8;

/**
 * 12,000 frames (~47 MiB): a catch-up copies what the writer committed since the thread's last
 * pass, which under bulk writes (history arriving in 10,000-message transactions) is a whole batch,
 * 80-160 ms on the store's thread; at 3,000 frames that happened every other batch, now rarely.
 */
export const CHECKPOINT_POLICY: CheckpointPolicy = { intervalMs: 250, rewindFrames: 12_000 };

/**
 * The checkpoint thread's work, over its own connection to the profile database: PASSIVE
 * checkpoints every `intervalMs` (they run beside the store's writer without blocking it, which
 * WAL allows), and on close a TRUNCATE checkpoint so the log is empty for the next unlock.
 * Shared by the app's worker (encrypted) and the benchmark's plain baseline.
 *
 * No RESTART or TRUNCATE while the store is open: they hold the writer back, and a writer held
 * back sleeps in SQLite's busy handler in steps of up to 100 ms. When the WAL is long, the thread
 * instead sends 'catch-up' and pauses; the store's thread (checkpointer.ts) runs one PASSIVE pass
 * between its writes, which copies the last frames, so its next write rewinds the log.
 */
export function runCheckpoints(db: SqliteHandle, port: MessagePort, policy: CheckpointPolicy = CHECKPOINT_POLICY): void {
  db.pragma('wal_autocheckpoint = 0');
  // Checkpoints copy pages through the VFS, not through the page cache: a small cache will do.
  db.pragma('cache_size = -2048');
  const warn = (what: string, error: unknown) => port.postMessage({ type: 'warn', message: `${what}: ${(error as Error).message}` } satisfies FromCheckpointer);
  const passive = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0];
  let waiting = false;
  const timer = setInterval(() => {
    if (waiting) return;
    try {
      let result = passive();
      if (!result || result.log <= policy.rewindFrames) return;
      for (let pass = 0; pass < CATCH_UP_PASSES && result && result.log - result.checkpointed > CATCH_UP_FRAMES; pass++) result = passive();
      waiting = true;
      port.postMessage({ type: 'catch-up' } satisfies FromCheckpointer);
    } catch (error) {
      warn('checkpoint failed', error);
    }
  }, policy.intervalMs);
  port.on('message', (message: ToCheckpointer) => {
    if (message.type === 'caught-up') {
      waiting = false;
      return;
    }
    clearInterval(timer);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      // The store's own connection is still busy: the next open checkpoints instead.
      warn('final checkpoint failed', error);
    }
    db.close();
    port.postMessage({ type: 'closed' } satisfies FromCheckpointer);
    port.close();
  });
  port.postMessage({ type: 'ready' } satisfies FromCheckpointer);
}
