import { parentPort, workerData } from 'node:worker_threads';
import type { CoreHostInit, CoreMessage } from './protocol';
import { serveCore } from './serve';

/**
 * The worker thread's entry: main/core, served to the main thread over parentPort. If the core
 * cannot be created (an unreadable data folder, a broken policy file) the host is told why with
 * `fatal` rather than left waiting for `ready`.
 */
if (!parentPort) throw new Error('worker-entry runs only as a worker thread (startCoreWorker).');
const port = parentPort;
try {
  serveCore(port, workerData as CoreHostInit);
} catch (err) {
  port.postMessage({ t: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies CoreMessage);
}
