import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertProductionProvider, createWrappedSecretProvider, InsecureFileDeviceSecretProvider } from '../../../main/core/vault';
import type { OsKeystore } from '../../../main/core/vault';
import { tempDir } from './helpers';

/**
 * A stand-in for Electron's safeStorage (the Electron boundary cannot run here). It seals with a
 * per-instance XOR pad, enough to show the provider stores only what the keystore returned.
 */
function fakeKeystore(file: string, over: Partial<OsKeystore> = {}): OsKeystore {
  const pad = 0x5a;
  return {
    file,
    isAvailable: () => true,
    encrypt: (s) => Uint8Array.from(Buffer.from(`sealed:${s}`), (b) => b ^ pad),
    decrypt: (b) => {
      const text = Buffer.from(Uint8Array.from(b, (x) => x ^ pad)).toString();
      if (!text.startsWith('sealed:')) throw new Error('cannot unseal');
      return text.slice('sealed:'.length);
    },
    ...over,
  };
}

describe('device secret providers', () => {
  it('the insecure provider is named as such, is refused by production start, and keeps one secret', async () => {
    const dir = tempDir();
    const p = new InsecureFileDeviceSecretProvider(dir);
    expect(p.secure).toBe(false);
    expect(p.name).toMatch(/insecure/);
    expect(() => assertProductionProvider(p)).toThrow(expect.objectContaining({ code: 'insecure_provider_refused' }));
    const [a, b] = await Promise.all([p.getOrCreate(), new InsecureFileDeviceSecretProvider(dir).getOrCreate()]);
    expect(a).toHaveLength(32);
    expect(b).toEqual(a);
    expect(existsSync(join(dir, 'INSECURE-device-secret.bin'))).toBe(true);
  });

  it('the keystore provider is secure, stores only the sealed form, and returns the same secret', async () => {
    const file = join(tempDir(), 'device-secret.sealed');
    const p = createWrappedSecretProvider(fakeKeystore(file));
    expect(() => assertProductionProvider(p)).not.toThrow();
    const s1 = await p.getOrCreate();
    const s2 = await createWrappedSecretProvider(fakeKeystore(file)).getOrCreate();
    expect(s2).toEqual(s1);
    expect(readFileSync(file).includes(Buffer.from(Buffer.from(s1).toString('base64')))).toBe(false);
  });

  it('refuses, never falls back, when the keystore cannot encrypt or is the basic_text backend', async () => {
    const dir = tempDir();
    const off = createWrappedSecretProvider(fakeKeystore(join(dir, 'a'), { isAvailable: () => false }));
    await expect(off.getOrCreate()).rejects.toMatchObject({ code: 'device_secret_unavailable' });
    const weak = createWrappedSecretProvider(fakeKeystore(join(dir, 'b'), { backend: () => 'basic_text' }));
    await expect(weak.getOrCreate()).rejects.toMatchObject({ code: 'device_secret_unavailable' });
    expect(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b'))).toBe(false);
  });

  it('an existing sealed secret that cannot be unsealed is an error, not a reason to make a new one', async () => {
    const file = join(tempDir(), 'device-secret.sealed');
    writeFileSync(file, 'garbage');
    const p = createWrappedSecretProvider(fakeKeystore(file));
    await expect(p.getOrCreate()).rejects.toMatchObject({ code: 'device_secret_unavailable' });
    expect(readFileSync(file, 'utf8')).toBe('garbage');
  });
});
