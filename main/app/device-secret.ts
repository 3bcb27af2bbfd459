import { join } from 'node:path';
import { createWrappedSecretProvider, VaultError } from '../core/vault';
import type { DeviceSecretProvider } from '../core/vault';

/** The part of Electron's safeStorage used here; tests pass a fake. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Uint8Array;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend(): string;
}

export const SEALED_SECRET_FILE = 'device-secret.sealed';

/**
 * The workstation's device secret, sealed by the OS keystore (DPAPI on Windows) through
 * safeStorage, kept in <userData>/device-secret.sealed. Call after app 'ready' (safeStorage
 * answers nothing before). Throws VaultError('device_secret_unavailable') when safeStorage cannot
 * encrypt, or on Linux when it would use the 'basic_text' backend, whose key is a constant in
 * Chromium's source: Wardline then shows its recovery screen and never stores the secret in the
 * clear. The same checks run again on every use (createWrappedSecretProvider).
 */
export function safeStorageDeviceSecrets(safeStorage: SafeStorageLike, options: { userDataDir: string; platform?: NodeJS.Platform }): DeviceSecretProvider {
  const platform = options.platform ?? process.platform;
  const keystore = {
    isAvailable: () => safeStorage.isEncryptionAvailable(),
    encrypt: (plain: string) => safeStorage.encryptString(plain),
    decrypt: (sealed: Uint8Array) => safeStorage.decryptString(Buffer.from(sealed)),
    // getSelectedStorageBackend is Linux-only: elsewhere it reports 'unknown', which the vault refuses.
    ...(platform === 'linux' ? { backend: () => safeStorage.getSelectedStorageBackend() } : {}),
    file: join(options.userDataDir, SEALED_SECRET_FILE),
  };
  if (!keystore.isAvailable()) {
    throw new VaultError('device_secret_unavailable', 'The operating system cannot protect Wardline\'s device secret on this workstation (safeStorage unavailable).');
  }
  const backend = keystore.backend?.();
  if (backend === 'basic_text' || backend === 'unknown') {
    throw new VaultError('device_secret_unavailable', `The system keyring is not available (safeStorage backend "${backend}"); Wardline will not store its device secret unprotected.`);
  }
  return createWrappedSecretProvider(keystore);
}
