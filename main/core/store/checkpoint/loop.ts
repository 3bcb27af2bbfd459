import type { MessagePort } from 'node:worker_threads';
import type { SqliteHandle } from '../connection';

/** What the checkpoint thread reports to the store's thread. */
export type FromCheckpointer = { type: 'ready' } | { type: 'warn'; message: string } | { type: 'closed' };
export type ToCheckpointer = { type: 'close' };

export interface CheckpointPolicy {
  /** How often the thread copies committed WAL frames into the database file. */
  intervalMs: number;
  /**
   * Past this many WAL frames a RESTART checkpoint also rewinds the log, holding the writer back
   * for the few frames written since the last pass. A writer that never pauses would otherwise
   * let the WAL grow without end (the log only rewinds when a write begins with nothing left
   * to copy).
   */
  restartFrames: number;
}

export const CHECKPOINT_POLICY: CheckpointPolicy = { intervalMs: 250, restartFrames: 32_768 };

/**
 * The checkpoint thread's work, over its own connection to the profile database: PASSIVE
 * checkpoints every `intervalMs` (they run beside the store's writer without blocking it, which
 * WAL allows), and on close a TRUNCATE checkpoint so the log is empty for the next unlock.
 * Shared by the app's worker (encrypted) and the benchmark's plain baseline.
 */
export function runCheckpoints(db: SqliteHandle, port: MessagePort, policy: CheckpointPolicy = CHECKPOINT_POLICY): void {
  db.pragma('wal_autocheckpoint = 0');
  // Checkpoints copy pages through the VFS, not through the page cache: a small cache will do.
  db.pragma('cache_size = -2048');
  const warn = (what: string, error: unknown) => port.postMessage({ type: 'warn', message: `${what}: ${(error as Error).message}` } satisfies FromCheckpointer);
  const timer = setInterval(() => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      if (result && result.log > policy.restartFrames) db.pragma('wal_checkpoint(RESTART)');
    } catch (error) {
      warn('checkpoint failed', error);
    }
  }, policy.intervalMs);
  port.on('message', (message: ToCheckpointer) => {
    if (message.type !== 'close') return;
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
