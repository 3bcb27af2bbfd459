import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Store } from '../../../main/core/store';
import { InsecureFileDeviceSecretProvider, openInThread, ProfileVault } from '../../../main/core/vault';
import type { ProfileSession, ProfileVaultOptions } from '../../../main/core/vault';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-vault-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A vault over a real temp data folder, real Argon2id (64 MiB) and the test-only device secret. */
export function vaultIn(dataDir: string, over: Partial<ProfileVaultOptions<Store>> = {}): ProfileVault<Store> {
  return new ProfileVault<Store>({
    dataDir,
    deviceSecrets: new InsecureFileDeviceSecretProvider(dataDir),
    allowInsecureDeviceSecret: true,
    open: openInThread,
    ...over,
  });
}

/** Locks the session when the test ends, so temp folders can be removed. */
export function track<S extends ProfileSession<Store>>(s: S): S {
  cleanups.push(() => s.lock());
  return s;
}

export const profileJson = (dataDir: string, id: string) => join(dataDir, 'profiles', id, 'profile.json');
export const ledgerJson = (dataDir: string, id: string) => join(dataDir, 'vault', 'attempts', `${id}.json`);

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const j = readJson(file);
  edit(j);
  writeFileSync(file, JSON.stringify(j, null, 2));
}

export async function expectVaultError(p: Promise<unknown>, code: string): Promise<{ code: string; attemptsLeft?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; attemptsLeft?: number; name?: string };
    if (err.name === 'VaultError' && err.code === code) return err as { code: string; attemptsLeft?: number };
    throw new Error(`expected VaultError ${code}, got ${err.name ?? 'error'} ${err.code ?? ''}: ${String((e as Error).message)}`);
  }
  throw new Error(`expected VaultError ${code}, but it resolved`);
}
