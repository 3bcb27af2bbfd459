/**
 * The key hierarchy of the profiles on this workstation. Other modules use these exports only.
 */
export { ProfileVault, DEFAULT_VAULT_POLICY } from './vault';
export type { ProfileVaultOptions, StoreOpener, VaultPolicy } from './vault';
export { ProfileSession } from './profile-session';
export type { SessionStore } from './profile-session';
export { listProfiles } from './profile-directory';
export type { ProfileSummary } from './profile-directory';
export { VaultError, isVaultError } from './errors';
export type { VaultErrorCode } from './errors';
export { assertProductionProvider, InsecureFileDeviceSecretProvider, DEVICE_SECRET_BYTES } from './device-secret';
export type { DeviceSecretProvider } from './device-secret';
export { createWrappedSecretProvider } from './wrapped-secret-provider';
export type { OsKeystore } from './wrapped-secret-provider';
export { FileAttemptLedger } from './attempt-ledger';
export type { AttemptLedger, LedgerRecord } from './attempt-ledger';
export { argon2idInThread, DEFAULT_KDF_PARAMS, MIN_KDF_MEMORY_KIB } from './kdf';
export type { Argon2idFn, KdfParams } from './kdf';
export { argon2idInWorker } from './kdf-in-worker';
export { openInThread, openInThreadWithCheckpoints, openInWorker } from './openers';
