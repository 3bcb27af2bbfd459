import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { VaultError } from './errors';

/**
 * profile.json: the public facts (shown before unlock), the KDF parameters and salt, the wrapped
 * DB key and the failed-attempt counter, all under one MAC keyed from the device secret.
 * Byte fields are base64. `attempts.seq` grows with every write; the attempt ledger keeps the
 * same number, which is how a restored older copy is recognised.
 */
export const PROFILE_FORMAT = 1;
export const PROFILE_ID = /^[A-Za-z0-9_-]{8,64}$/;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const profileFileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  id: z.string().regex(PROFILE_ID),
  displayName: z.string().min(1).max(200),
  userId: z.string().min(1).max(200),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  erased: z.boolean(),
  erasedAt: z.number().int().nullable(),
  erasedReason: z.enum(['too_many_attempts', 'remote_wipe']).nullable(),
  kdf: z.object({
    algorithm: z.literal('argon2id'),
    version: z.literal(19),
    memoryKiB: z.number().int().positive(),
    iterations: z.number().int().positive(),
    parallelism: z.number().int().positive(),
    salt: b64,
  }),
  wrappedKey: z.object({ algorithm: z.literal('xchacha20poly1305'), nonce: b64, ciphertext: b64 }).nullable(),
  attempts: z.object({
    failed: z.number().int().nonnegative(),
    max: z.number().int().positive(),
    seq: z.number().int().positive(),
  }),
  mac: b64,
});

export type ProfileFile = z.infer<typeof profileFileSchema>;
export type ProfileBody = Omit<ProfileFile, 'mac'>;

export const profilesRoot = (dataDir: string) => join(dataDir, 'profiles');
export const profileDir = (dataDir: string, id: string) => join(profilesRoot(dataDir), id);
export const profileJsonPath = (dataDir: string, id: string) => join(profileDir(dataDir, id), 'profile.json');
export const storePath = (dataDir: string, id: string) => join(profileDir(dataDir, id), 'store.db');

export function assertProfileId(id: string): void {
  // The id becomes a path segment: anything but these characters could walk out of profiles/.
  if (!PROFILE_ID.test(id)) throw new VaultError('not_found', 'no such profile');
}

export function readProfileFile(file: string): ProfileFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new VaultError('not_found', 'no such profile');
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new VaultError('corrupt', 'profile.json is not valid JSON');
  }
  const parsed = profileFileSchema.safeParse(raw);
  if (!parsed.success) throw new VaultError('corrupt', 'profile.json is missing fields or has wrong types');
  return parsed.data;
}

/**
 * Write to a temporary file, fsync, rename over the old one, fsync the folder: a crash leaves
 * either the old or the new file, never a torn one (a torn counter would read as tampering).
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(file));
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
export const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
