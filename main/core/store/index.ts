/**
 * The encrypted profile database. Other modules use these exports only; no SQL outside this folder.
 */
export { openStore, Store, REPOSITORIES } from './store';
export type { OpenStoreOptions, ReceivedResult, RepositoryName } from './store';
export { openStoreInWorker } from './worker/store-client';
export type { CheckpointerOptions } from './checkpoint/checkpointer';
export type { AsyncStore, WorkerStoreOptions } from './worker/store-client';
export { StoreError, isStoreError } from './errors';
export type { StoreErrorCode } from './errors';
export { DB_KEY_BYTES } from './connection';
export { LATEST_VERSION } from './migrations';
export { statusTransitionAllowed } from './repos/messages';
export type { DeviceChange } from './repos/contacts';
export type { SettingValue } from './repos/settings';
export * from './types';
