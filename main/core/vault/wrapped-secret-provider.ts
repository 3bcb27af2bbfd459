import { randomBytes } from 'node:crypto';
import { DEVICE_SECRET_BYTES, readOrCreateOnce } from './device-secret';
import type { DeviceSecretProvider } from './device-secret';
import { VaultError } from './errors';

/** The OS keystore functions, e.g. Electron's safeStorage (DPAPI on Windows). */
export interface OsKeystore {
  isAvailable(): boolean;
  encrypt(plain: string): Uint8Array;
  decrypt(sealed: Uint8Array): string;
  /**
   * Optional: the backend in use (safeStorage.getSelectedStorageBackend() on Linux). 'basic_text'
   * means a hard-coded key, i.e. no protection, and is refused like an unavailable keystore.
   */
  backend?(): string;
  /** Where the sealed secret is kept, e.g. <userData>/device-secret.sealed. */
  file: string;
}

const WEAK_BACKENDS = new Set(['basic_text', 'unknown']);

/**
 * A secure device-secret provider over an OS keystore. main/app passes safeStorage's functions;
 * this refuses (throws) when the keystore cannot encrypt, and never falls back to storing the
 * secret in the clear.
 */
export function createWrappedSecretProvider(ks: OsKeystore): DeviceSecretProvider {
  const ensureUsable = () => {
    if (!ks.isAvailable()) throw new VaultError('device_secret_unavailable', 'the OS keystore cannot encrypt on this machine');
    const backend = ks.backend?.();
    if (backend !== undefined && WEAK_BACKENDS.has(backend)) {
      throw new VaultError('device_secret_unavailable', `the OS keystore backend "${backend}" gives no protection`);
    }
  };
  return {
    name: 'os-keystore',
    secure: true,
    async getOrCreate() {
      ensureUsable();
      return readOrCreateOnce(
        ks.file,
        () => {
          const secret = new Uint8Array(randomBytes(DEVICE_SECRET_BYTES));
          const stored = ks.encrypt(Buffer.from(secret).toString('base64'));
          // Prove the keystore can give it back before anything is wrapped under it.
          const back = ks.decrypt(stored);
          if (back !== Buffer.from(secret).toString('base64')) {
            throw new VaultError('device_secret_unavailable', 'the OS keystore did not return the sealed secret');
          }
          return { stored, secret };
        },
        (stored) => {
          let text: string;
          try {
            text = ks.decrypt(stored);
          } catch {
            throw new VaultError('device_secret_unavailable', 'the OS keystore could not unseal the device secret');
          }
          return new Uint8Array(Buffer.from(text, 'base64'));
        },
      );
    },
  };
}
