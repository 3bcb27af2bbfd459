/**
 * The checkpoint thread. SQLite normally checkpoints inside whichever commit pushes the WAL past
 * 1000 pages, copying megabytes and fsyncing the database file while that commit waits: a
 * latency spike for every envelope in the batch. The relay's own connections turn automatic
 * checkpoints off and this thread runs PASSIVE checkpoints instead, which proceed alongside the
 * writer without blocking it (WAL mode lets one checkpointer run concurrently with the writer).
 *
 * The WAL is rewound (written from its start again) only when a write begins with every frame
 * already copied, which a busy writer never allows. RESTART or TRUNCATE would force it, but they
 * hold the writer back, and a writer held back sleeps in SQLite's busy handler in steps of up to
 * 100 ms: every envelope in flight would wait. So once the WAL is long, this thread copies all but
 * the last few frames and then asks the writer thread (over its own port) for one PASSIVE pass
 * between two batches; the next batch rewinds the log.
 *
 * That pass holds the writer for as long as it takes to copy and fsync what the writer appended
 * during this thread's last pass, so this thread repeats its passes while they keep finding much
 * that is new: each copies what arrived during the one before, so each is shorter. Measured in
 * bench:relay (5,000 envelopes/s): with a single pass the writer's pass took 23-53 ms (300-400
 * frames and an fsync) every 500 ms, the relay's p99 tail; with the passes repeated, 2-12 ms.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from '../db/database';

const port = parentPort;
if (!port) throw new Error('writer/checkpointer.ts must run as a worker thread');
const { dataDir, sync, intervalMs, writer } = workerData as { dataDir: string; sync: 'full' | 'normal'; intervalMs: number; writer: MessagePort };
const db = openDatabase(dataDir, sync);

/** Past this many WAL frames (16 MiB) the writer is asked to let the log rewind. */
const REWIND_FRAMES = 4_096;
/** What the writer thread is left to copy: a few milliseconds of work, mostly its fsync. */
const CATCH_UP_FRAMES = 32;
const CATCH_UP_PASSES = 8;

const passive = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[])[0];
let waiting = false;
writer.on('message', (message: { type: 'caught-up' }) => {
  if (message.type === 'caught-up') waiting = false;
});

const timer = setInterval(() => {
  if (waiting) return;
  try {
    let result = passive();
    if (!result || result.log <= REWIND_FRAMES) return;
    // Each pass copies what the writer appended during the one before, so each is shorter than
    // the last: stop once a pass had little to copy, which leaves the writer's pass as little.
    for (let pass = 0, before = result.log; pass < CATCH_UP_PASSES; pass++) {
      result = passive();
      if (!result) return;
      const appended = result.log - before;
      before = result.log;
      if (appended <= CATCH_UP_FRAMES && result.log - result.checkpointed <= CATCH_UP_FRAMES) break;
    }
    waiting = true;
    writer.postMessage({ type: 'catch-up' });
  } catch (error) {
    port.postMessage({ type: 'warn', message: `checkpoint failed: ${(error as Error).message}` });
  }
}, intervalMs);

port.on('message', (message: { type: 'close' }) => {
  if (message.type !== 'close') return;
  clearInterval(timer);
  writer.close();
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
