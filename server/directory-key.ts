/**
 * The organisation's directory signing key (Ed25519), generated on first start and kept in the
 * data folder with mode 0600. It certifies every enrolled device; clients pin its public key, so
 * whoever reads this file can vouch for devices: back it up and guard it like a CA key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { ensureDataDir } from './db/database';

export interface DirectoryKey {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const FILE_NAME = 'directory-key.json';
const KeyFile = z.object({
  algorithm: z.literal('ed25519'),
  secretKey: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});

export function loadOrCreateDirectoryKey(dataDir: string): DirectoryKey {
  ensureDataDir(dataDir);
  const file = path.join(dataDir, FILE_NAME);
  if (!fs.existsSync(file)) create(file);
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const parsed = KeyFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const secretKey = Uint8Array.from(Buffer.from(parsed.secretKey, 'hex'));
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/**
 * Written to a temporary file and published with link(), which fails if the key already exists:
 * a relay and a CLI starting together can never end up with two different keys.
 */
function create(file: string): void {
  const { secretKey } = ed25519.keygen();
  const body = JSON.stringify({ algorithm: 'ed25519', secretKey: Buffer.from(secretKey).toString('hex'), createdAt: new Date().toISOString() });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, body);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.unlinkSync(temp);
  }
}
