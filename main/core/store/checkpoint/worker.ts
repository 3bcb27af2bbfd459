import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedHandle } from '../connection';
import { runCheckpoints } from './loop';
import type { CheckpointPolicy } from './loop';

/**
 * Worker entry: a second connection to an unlocked profile's database that does its WAL
 * checkpoints (checkpoint/checkpointer.ts says why). It answers no queries. The key arrives in a
 * transferred buffer and is wiped as soon as SQLCipher has it.
 */
const port = parentPort;
if (!port) throw new Error('the checkpoint worker must run in a worker thread');
const { path, key, policy } = workerData as { path: string; key: Uint8Array; policy: CheckpointPolicy };
let db;
try {
  db = openEncryptedHandle(path, key, false);
} finally {
  key.fill(0);
}
runCheckpoints(db, port, policy);
