import { parentPort } from 'node:worker_threads';
import { StoreError } from '../errors';
import { openStore, REPOSITORIES } from '../store';
import type { Store } from '../store';
import { serializeError, STORE_METHODS } from './protocol';
import type { WorkerReply, WorkerRequest } from './protocol';

/**
 * Worker entry: owns one Store so that SQLite work (bursts of writes, FTS merges, checkpoints,
 * searches) never blocks the main process's event loop. It dispatches only to the Store's named
 * repositories and methods; anything else is refused.
 */
const port = parentPort;
if (!port) throw new Error('store-worker must run in a worker thread');

let store: Store | null = null;

function dispatch(req: WorkerRequest): unknown {
  switch (req.type) {
    case 'open': {
      if (store) throw new StoreError('invalid', 'this worker already holds a store');
      try {
        store = openStore(req.path, req.key, { create: req.create });
      } finally {
        req.key.fill(0);
      }
      return null;
    }
    case 'close':
      store?.close();
      store = null;
      return null;
    case 'call': {
      if (!store) throw new StoreError('locked', 'the store is closed; unlock the profile again');
      const target: object = req.target === null ? store : pickRepository(store, req.target);
      const allowed = req.target === null ? (STORE_METHODS as readonly string[]).includes(req.method) : isOwnMethod(target, req.method);
      const fn = (target as Record<string, unknown>)[req.method];
      if (!allowed || typeof fn !== 'function') throw new StoreError('invalid', `no such store method: ${req.method}`);
      return (fn as (...a: unknown[]) => unknown).apply(target, req.args);
    }
  }
}

function pickRepository(s: Store, name: string): object {
  if (!(REPOSITORIES as readonly string[]).includes(name)) throw new StoreError('invalid', `no such repository: ${name}`);
  return s[name as (typeof REPOSITORIES)[number]];
}

/** Public methods declared on the repository's own class, never Object.prototype or constructor. */
function isOwnMethod(repo: object, method: string): boolean {
  if (method === 'constructor' || method.startsWith('_')) return false;
  return Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(repo) as object, method);
}

port.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: req.id, ok: true, value: dispatch(req) };
  } catch (e) {
    reply = { id: req.id, ok: false, error: serializeError(e) };
  }
  port.postMessage(reply);
  if (req.type === 'close') port.close();
});
