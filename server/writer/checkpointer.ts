/**
 * The checkpoint thread. SQLite normally checkpoints inside whichever commit pushes the WAL past
 * 1000 pages, copying megabytes and fsyncing the database file while that commit waits: a
 * latency spike for every envelope in the batch. The relay's own connections turn automatic
 * checkpoints off and this thread runs PASSIVE checkpoints instead, which proceed alongside the
 * writer without blocking it (WAL mode lets one checkpointer run concurrently with the writer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/database';

const port = parentPort;
if (!port) throw new Error('writer/checkpointer.ts must run as a worker thread');
const { dataDir, sync, intervalMs } = workerData as { dataDir: string; sync: 'full' | 'normal'; intervalMs: number };
const db = openDatabase(dataDir, sync);

/**
 * A WAL that is fully checkpointed is only rewound when a write begins at an instant when nothing
 * is left to copy, which a busy writer never allows: the file would grow without end. So once the
 * PASSIVE pass has done the bulk of the copying, a RESTART pass (which holds the writer back while
 * it copies the few frames written since, syncs and rewinds the log) runs when the WAL passes
 * 256 MiB: rarely, because that pause is the relay's worst latency spike.
 */
const RESTART_FRAMES = 65_536;

const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    if (result && result.log > RESTART_FRAMES) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    port.postMessage({ type: 'warn', message: `checkpoint failed: ${(error as Error).message}` });
  }
}, intervalMs);

port.on('message', (message: { type: 'close' }) => {
  if (message.type !== 'close') return;
  clearInterval(timer);
  // A final full checkpoint keeps the WAL small for the next start.
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Another connection is still busy: the next start checkpoints instead.
  }
  db.close();
  port.postMessage({ type: 'closed' });
  port.close();
});
port.postMessage({ type: 'ready' });
