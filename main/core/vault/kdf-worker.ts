import { parentPort, workerData } from 'node:worker_threads';
import { argon2idInThread } from './kdf';
import type { KdfParams } from './kdf';

/**
 * Worker entry: one Argon2id derivation, then exit. Run off the main thread because 64 MiB of
 * Argon2id takes ~0.4 s, far beyond the 50 ms the main process may be blocked; exiting frees the
 * WebAssembly memory, which cannot shrink.
 */
interface Job {
  password: Uint8Array;
  salt: Uint8Array;
  params: KdfParams;
}

const port = parentPort;
if (!port) throw new Error('kdf-worker must run in a worker thread');
const job = workerData as Job;
argon2idInThread(job.password, job.salt, job.params).then(
  (out) => {
    job.password.fill(0);
    port.postMessage({ ok: true, out }, [out.buffer as ArrayBuffer]);
  },
  (e: unknown) => {
    job.password.fill(0);
    port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  },
);
