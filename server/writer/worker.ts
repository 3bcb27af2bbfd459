/**
 * The writer thread. better-sqlite3 is synchronous, so a commit's fsync (synchronous=FULL) and
 * WAL checkpoints would stall every socket if they ran on the main thread; here they stall only
 * this thread, while the main thread keeps reading packets and builds the next batch.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from '../db/database';
import { BatchApplier } from './apply';
import { packOutcomes, unpackBatch, type FromWriter, type ToWriter, type WriterOptions } from './messages';

const port = parentPort;
if (!port) throw new Error('writer/worker.ts must run as a worker thread');
const options = workerData as WriterOptions & { checkpoints: MessagePort };
const db = openDatabase(options.dataDir, options.sync, { autoCheckpoint: false });
// The dedupe and per-recipient indexes are written at random places: keep them in memory
// (64 MiB instead of SQLite's 2 MiB default) rather than re-reading pages for every batch.
db.pragma('cache_size = -65536');
const applier = new BatchApplier(db, options);
const reply = (message: FromWriter) => port.postMessage(message);
/** A commit this slow means the disk is struggling; worth a line in the log. */
const SLOW_COMMIT_MS = 250;

port.on('message', (message: ToWriter) => {
  switch (message.type) {
    case 'batch':
      try {
        const started = performance.now();
        const batch = unpackBatch(message.batch);
        const outcomes = packOutcomes(batch, applier.apply(batch));
        const ms = performance.now() - started;
        if (ms > SLOW_COMMIT_MS) reply({ type: 'warn', message: `slow commit: ${Math.round(ms)} ms` });
        port.postMessage({ type: 'done', id: batch.id, outcomes } satisfies FromWriter, [outcomes.outcomes.buffer, outcomes.acks.buffer]);
      } catch (error) {
        reply({ type: 'failed', id: message.batch.id, message: (error as Error).message });
      }
      return;
    case 'admin':
      try {
        applier.adminEvent(message.event);
      } catch (error) {
        reply({ type: 'warn', message: `admin event not applied: ${(error as Error).message}` });
      }
      return;
    case 'sweep':
      try {
        reply({ type: 'swept', tombstones: applier.sweep(message.ackedBefore, message.undeliveredBefore) });
      } catch (error) {
        reply({ type: 'warn', message: `sweep failed: ${(error as Error).message}` });
        reply({ type: 'swept', tombstones: 0 });
      }
      return;
    case 'close':
      options.checkpoints.close();
      db.close();
      reply({ type: 'closed' });
      port.close();
      return;
  }
});
// The checkpoint thread has copied all but the last few frames of a long WAL and waits: one
// PASSIVE pass here, between two batches, copies the rest, so the next batch rewinds the log.
options.checkpoints.on('message', (message: { type: 'catch-up' }) => {
  if (message.type !== 'catch-up') return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    reply({ type: 'warn', message: `catch-up checkpoint failed: ${(error as Error).message}` });
  }
  options.checkpoints.postMessage({ type: 'caught-up' });
});
reply({ type: 'ready' });
