import PlainDatabase from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { applyConnectionSettings } from '../main/core/store/connection';
import { runCheckpoints } from '../main/core/store/checkpoint/loop';
import type { CheckpointPolicy } from '../main/core/store/checkpoint/loop';

/**
 * The plain baseline's checkpoint thread in bench/store.ts: the app's checkpoint loop over a
 * plain better-sqlite3 connection, so both stores of the comparison checkpoint the same way.
 */
const port = parentPort;
if (!port) throw new Error('store-plain-checkpoints must run in a worker thread');
const { path, policy } = workerData as { path: string; policy: CheckpointPolicy };
const db = new PlainDatabase(path, { fileMustExist: true });
applyConnectionSettings(db);
runCheckpoints(db, port, policy);
