import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from './profile-file';

/**
 * The second, independently stored copy of each profile's attempt counter. It lives outside the
 * profile folder so that restoring an older profile.json (or a whole copied profile folder) is
 * noticed: the ledger's sequence number is ahead of the restored file's. The vault authenticates
 * what it reads here; implementations only store the record.
 */
export interface AttemptLedger {
  readonly name: string;
  read(profileId: string): Promise<unknown>;
  write(profileId: string, record: LedgerRecord): Promise<void>;
  remove(profileId: string): Promise<void>;
}

export const ledgerRecordSchema = z.object({
  format: z.literal(1),
  profileId: z.string(),
  seq: z.number().int().positive(),
  failed: z.number().int().nonnegative(),
  max: z.number().int().positive(),
  erased: z.boolean(),
  /** SHA-256 of the wrapped key it counts attempts against; null once erased. */
  wrappedKeyDigest: z.string().nullable(),
  mac: z.string(),
});
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

/**
 * One file per profile under <dataDir>/vault/attempts/. Still on the same disk and OS account as
 * the profiles, so restoring the ledger and profile.json together goes unnoticed; main/app may
 * supply a ledger kept elsewhere (e.g. the registry) to narrow that.
 */
export class FileAttemptLedger implements AttemptLedger {
  readonly name = 'file';
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'vault', 'attempts');
  }

  async read(profileId: string): Promise<unknown> {
    try {
      return JSON.parse(readFileSync(this.file(profileId), 'utf8')) as unknown;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // Unparsable: hand back something that fails validation, i.e. reads as tampered.
      return { unreadable: true };
    }
  }

  async write(profileId: string, record: LedgerRecord): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeJsonAtomic(this.file(profileId), record);
  }

  async remove(profileId: string): Promise<void> {
    rmSync(this.file(profileId), { force: true });
  }

  private file(profileId: string): string {
    return join(this.dir, `${profileId}.json`);
  }
}
