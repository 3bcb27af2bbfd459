import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VaultError } from './errors';

export const DEVICE_SECRET_BYTES = 32;

/**
 * Supplies the workstation's device secret, the second input of every profile's key-encryption
 * key. It binds profiles to this machine and OS account, so a copied profile folder cannot be
 * brute-forced elsewhere without it. `secure` says whether the OS protects it at rest.
 */
export interface DeviceSecretProvider {
  readonly name: string;
  readonly secure: boolean;
  /** Returns a fresh copy each call; the caller wipes it after use. */
  getOrCreate(): Promise<Uint8Array>;
}

/**
 * Production start-up calls this with the provider it is about to use. Refusing here, rather than
 * downgrading, is the point: a vault running on a plaintext device secret looks exactly like a
 * protected one to the clinician.
 */
export function assertProductionProvider(p: DeviceSecretProvider): void {
  if (!p.secure) {
    throw new VaultError('insecure_provider_refused', `device-secret provider "${p.name}" is not secure; refusing to start`);
  }
}

/**
 * INSECURE: keeps the device secret as plain bytes in a file in the data folder. For tests and the
 * demo only, where no OS keystore exists. Anyone who can read the data folder has the secret, so
 * the profiles' protection falls back to the PIN KDF alone. Production refuses it.
 */
export class InsecureFileDeviceSecretProvider implements DeviceSecretProvider {
  readonly name = 'insecure-file (tests and demo only)';
  readonly secure = false;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'INSECURE-device-secret.bin');
  }

  async getOrCreate(): Promise<Uint8Array> {
    return readOrCreateOnce(this.file, () => {
      const s = randomBytes(DEVICE_SECRET_BYTES);
      return { stored: s, secret: new Uint8Array(s) };
    }, (stored) => new Uint8Array(stored));
  }
}

/**
 * Reads the stored secret, or creates it exactly once. Creation uses an exclusive write ('wx') so
 * two processes starting together cannot each create a different secret. An existing file that
 * fails to decode is an error, never a reason to make a new one: a new secret would silently make
 * every enrolled profile unopenable.
 */
export function readOrCreateOnce(
  file: string,
  create: () => { stored: Uint8Array; secret: Uint8Array },
  decode: (stored: Uint8Array) => Uint8Array,
): Uint8Array {
  let stored: Uint8Array | null = readIfExists(file);
  if (stored === null) {
    const made = create();
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, made.stored, { flag: 'wx', mode: 0o600 });
      made.stored.fill(0);
      return checkLength(made.secret);
    } catch (e) {
      made.secret.fill(0);
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      stored = readIfExists(file);
      if (stored === null) throw new VaultError('device_secret_unavailable', 'device secret file vanished');
    }
  }
  return checkLength(decode(stored));
}

function readIfExists(file: string): Uint8Array | null {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function checkLength(s: Uint8Array): Uint8Array {
  if (s.length !== DEVICE_SECRET_BYTES) {
    s.fill(0);
    throw new VaultError('device_secret_unavailable', `expected ${DEVICE_SECRET_BYTES}-byte device secret`);
  }
  return s;
}
