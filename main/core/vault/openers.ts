import { openStore, openStoreInWorker } from '../store';
import type { AsyncStore, Store, WorkerStoreOptions } from '../store';
import type { StoreOpener } from './vault';

/** Store on the calling thread: tests, the demo, tools. */
export const openInThread: StoreOpener<Store> = (path, key, create) => openStore(path, key, { create });

/** Store in a worker thread: the Electron main process, whose event loop must stay free. */
export function openInWorker(opts: Omit<WorkerStoreOptions, 'create'> = {}): StoreOpener<AsyncStore> {
  return (path, key, create) => openStoreInWorker(path, key, { ...opts, create });
}
