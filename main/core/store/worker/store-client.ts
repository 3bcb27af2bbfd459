import { Worker } from 'node:worker_threads';
import { StoreError } from '../errors';
import { REPOSITORIES } from '../store';
import type { RepositoryName, Store } from '../store';
import { deserializeError, STORE_METHODS } from './protocol';
import type { WorkerReply, WorkerRequest } from './protocol';

type Methods<T> = {
  [K in keyof T as T[K] extends (...a: never[]) => unknown ? K : never]: T[K] extends (...a: infer A) => infer R
    ? (...a: A) => Promise<R>
    : never;
};

/**
 * The Store's API with every call answered by a worker thread. Calls run in order; a caller that
 * needs several writes to be atomic uses the Store's composite methods (storeReceived,
 * messages.insertOutgoing, ...), since a function cannot be sent to the worker.
 */
export type AsyncStore = { readonly [R in RepositoryName]: Methods<Store[R]> } & Methods<Pick<Store, (typeof STORE_METHODS)[number]>> & {
  readonly isOpen: boolean;
  /** Closes the database inside the worker (dropping its key) and ends the worker. */
  close(): Promise<void>;
};

export interface WorkerStoreOptions {
  create?: boolean;
  /**
   * The compiled store-worker entry. Defaults to the sibling source file, which works under tsx
   * (tests, demo, benchmark); a bundled app must pass the URL of its built worker file.
   */
  workerUrl?: URL;
}

/**
 * Opens the store inside a worker thread. The key is copied into a buffer that is transferred,
 * not cloned, so after this call no copy of it made here remains on the main thread; the caller
 * wipes its own `key`.
 */
export async function openStoreInWorker(path: string, key: Uint8Array, opts: WorkerStoreOptions = {}): Promise<AsyncStore> {
  const url = opts.workerUrl ?? new URL('./store-worker.ts', import.meta.url);
  const worker = new Worker(url, url.pathname.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {});
  const client = new Client(worker);
  const transferable = new Uint8Array(key);
  try {
    await client.request({ type: 'open', id: 0, path, key: transferable, create: opts.create ?? false }, [transferable.buffer]);
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return client.facade();
}

class Client {
  #nextId = 1;
  #open = true;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(deserializeError(r.error));
    });
    const fail = (why: string) => {
      this.#open = false;
      for (const p of this.#pending.values()) p.reject(new StoreError('locked', why));
      this.#pending.clear();
    };
    worker.on('error', () => fail('the store worker failed'));
    worker.on('exit', () => fail('the store worker has stopped'));
  }

  request(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (!this.#open) return Promise.reject(new StoreError('locked', 'the store is closed; unlock the profile again'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  facade(): AsyncStore {
    const call = (target: RepositoryName | null, method: string) => (...args: unknown[]) =>
      this.request({ type: 'call', id: 0, target, method, args });
    const repo = (name: RepositoryName) =>
      new Proxy({}, { get: (_t, method) => (typeof method === 'string' && method !== 'then' ? call(name, method) : undefined) });
    const out: Record<string, unknown> = {};
    for (const name of REPOSITORIES) out[name] = repo(name);
    for (const m of STORE_METHODS) out[m] = call(null, m);
    Object.defineProperty(out, 'isOpen', { get: () => this.#open });
    out.close = async () => {
      if (!this.#open) return;
      await this.request({ type: 'close', id: 0 });
      this.#open = false;
      await this.worker.terminate();
    };
    return out as unknown as AsyncStore;
  }
}
