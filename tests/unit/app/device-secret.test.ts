import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { safeStorageDeviceSecrets, SEALED_SECRET_FILE } from '../../../main/app/device-secret';
import type { SafeStorageLike } from '../../../main/app/device-secret';
import { assertProductionProvider, isVaultError } from '../../../main/core/vault';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function userData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-safestorage-'));
  dirs.push(dir);
  return dir;
}

/** safeStorage with a reversible "seal" so a test can tell sealed bytes from the secret. */
function fakeSafeStorage(over: Partial<SafeStorageLike> = {}): SafeStorageLike & { sealed: number } {
  const fake: SafeStorageLike & { sealed: number } = {
    sealed: 0,
    isEncryptionAvailable: () => true,
    encryptString: (plain: string): Buffer => (fake.sealed++, Buffer.from(`sealed:${Buffer.from(plain).toString('hex')}`)),
    decryptString: (b: Buffer) => Buffer.from(b.toString().replace(/^sealed:/, ''), 'hex').toString(),
    getSelectedStorageBackend: () => 'gnome_libsecret',
    ...over,
  };
  return fake;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isVaultError(e, 'device_secret_unavailable')) return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('device secret through safeStorage', () => {
  it("matches Electron's safeStorage", () => {
    expectTypeOf<SafeStorage>().toExtend<SafeStorageLike>();
  });

  it('seals a 32-byte secret with safeStorage, stores only the sealed form, and returns the same secret later', async () => {
    const dir = userData();
    const ss = fakeSafeStorage();
    const provider = safeStorageDeviceSecrets(ss, { userDataDir: dir, platform: 'win32' });
    expect(() => assertProductionProvider(provider)).not.toThrow();
    const first = await provider.getOrCreate();
    expect(first).toHaveLength(32);
    const stored = readFileSync(join(dir, SEALED_SECRET_FILE), 'utf8');
    expect(stored.startsWith('sealed:')).toBe(true);
    expect(stored).not.toContain(Buffer.from(first).toString('base64'));
    const again = await safeStorageDeviceSecrets(ss, { userDataDir: dir, platform: 'win32' }).getOrCreate();
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(ss.sealed).toBe(1);
  });

  it('refuses when safeStorage cannot encrypt, and writes nothing', () => {
    const dir = userData();
    expect(refusal(() => safeStorageDeviceSecrets(fakeSafeStorage({ isEncryptionAvailable: () => false }), { userDataDir: dir, platform: 'win32' }))).toMatch(/cannot protect/);
    expect(() => readFileSync(join(dir, SEALED_SECRET_FILE))).toThrow(/ENOENT/);
  });

  it("refuses Linux's basic_text backend (a key written in Chromium's source) and an unknown one", () => {
    const dir = userData();
    for (const backend of ['basic_text', 'unknown']) {
      expect(refusal(() => safeStorageDeviceSecrets(fakeSafeStorage({ getSelectedStorageBackend: () => backend }), { userDataDir: dir, platform: 'linux' }))).toContain(backend);
    }
  });

  it('refuses later too, if safeStorage stops working after start-up', async () => {
    let available = true;
    const provider = safeStorageDeviceSecrets(fakeSafeStorage({ isEncryptionAvailable: () => available }), { userDataDir: userData(), platform: 'win32' });
    available = false;
    await expect(provider.getOrCreate()).rejects.toMatchObject({ code: 'device_secret_unavailable' });
  });

  it('does not ask Windows for a Linux-only backend', () => {
    const ss = fakeSafeStorage({ getSelectedStorageBackend: () => 'unknown' });
    expect(() => safeStorageDeviceSecrets(ss, { userDataDir: userData(), platform: 'win32' })).not.toThrow();
  });
});
