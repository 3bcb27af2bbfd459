import { openStore, openStoreInWorker } from '../store';
import type { AsyncStore, CheckpointerOptions, Store, WorkerStoreOptions } from '../store';
import type { StoreOpener } from './vault';

/** Store on the calling thread: tests, the demo, tools. */
export const openInThread: StoreOpener<Store> = (path, key, create) => openStore(path, key, { create });

/**
 * Store on the calling thread with its WAL checkpointed on a thread of its own: the app, whose
 * messaging engine needs synchronous transactions but whose event loop must not wait for the
 * disk (store/checkpoint/checkpointer.ts).
 */
export function openInThreadWithCheckpoints(checkpointer: CheckpointerOptions): StoreOpener<Store> {
  return (path, key, create) => openStore(path, key, { create, checkpointer });
}

/** Store in a worker thread: the Electron main process, whose event loop must stay free. */
export function openInWorker(opts: Omit<WorkerStoreOptions, 'create'> = {}): StoreOpener<AsyncStore> {
  return (path, key, create) => openStoreInWorker(path, key, { ...opts, create });
}
