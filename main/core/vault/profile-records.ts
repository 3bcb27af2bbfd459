import { rmSync } from 'node:fs';
import { ledgerRecordSchema } from './attempt-ledger';
import type { AttemptLedger, LedgerRecord } from './attempt-ledger';
import { reconcile } from './attempt-state';
import type { CounterState } from './attempt-state';
import { VaultError } from './errors';
import type { KdfParams } from './kdf';
import { digestWrappedKey, macMatches, macOf } from './key-wrap';
import type { MacKeys, WrappedKey } from './key-wrap';
import { assertProfileId, fromB64, profileJsonPath, readProfileFile, storePath, toB64, writeJsonAtomic } from './profile-file';
import type { ProfileBody } from './profile-file';

export type WriteOrder = 'ledger_first' | 'profile_first';

export interface LoadedProfile {
  body: ProfileBody;
  /** An older copy of profile.json or of the ledger was found and overruled by the newer one. */
  restoredCopyDetected: boolean;
}

/**
 * Reads, authenticates, reconciles and writes a profile's two records (profile.json and its
 * attempt-ledger entry). Knows nothing about PINs; the vault decides what to write.
 */
export class ProfileRecords {
  constructor(
    private readonly dataDir: string,
    private readonly ledger: AttemptLedger,
  ) {}

  /**
   * Throws VaultError: not_found, corrupt, tampered, or erased (after finishing an erasure that a
   * crash interrupted). Repairs a copy that is one step behind, and overrules restored old copies.
   */
  async load(id: string, keys: MacKeys, now: number): Promise<LoadedProfile> {
    assertProfileId(id);
    const { mac, ...body } = readProfileFile(profileJsonPath(this.dataDir, id));
    if (body.id !== id || !macMatches(keys.profile, body, fromB64(mac))) {
      throw tampered('profile.json failed authentication: it was edited, copied from another workstation, or the device secret changed');
    }
    const ledger = await this.readLedger(id, keys);
    const r = reconcile(counterOf(body), ledger);
    switch (r.kind) {
      case 'consistent':
        return { body, restoredCopyDetected: false };
      case 'erased':
        if (r.repairProfile) {
          await this.write(eraseBody(body, now, ledger?.seq ?? body.attempts.seq + 1), keys, 'profile_only');
          this.destroyStore(id);
        }
        throw erasedError();
      case 'profile_behind': {
        const fixed = { ...body, attempts: { failed: r.counter.failed, max: r.counter.max, seq: r.counter.seq } };
        await this.write(fixed, keys, 'profile_only');
        return { body: fixed, restoredCopyDetected: r.restored };
      }
      case 'ledger_behind':
        await this.write(body, keys, 'ledger_only');
        return { body, restoredCopyDetected: r.restored };
      case 'tampered':
        throw tampered(r.reason);
    }
  }

  /** Writes both records (or one, when repairing) in the order the caller's change requires. */
  async write(body: ProfileBody, keys: MacKeys, order: WriteOrder | 'profile_only' | 'ledger_only'): Promise<void> {
    const profile = { ...body, mac: toB64(macOf(keys.profile, body)) };
    const ledgerBody: Omit<LedgerRecord, 'mac'> = {
      format: 1,
      profileId: body.id,
      seq: body.attempts.seq,
      failed: body.attempts.failed,
      max: body.attempts.max,
      erased: body.erased,
      wrappedKeyDigest: digestOf(body),
    };
    const ledger: LedgerRecord = { ...ledgerBody, mac: toB64(macOf(keys.ledger, ledgerBody)) };
    const file = profileJsonPath(this.dataDir, body.id);
    if (order === 'profile_first' || order === 'profile_only') writeJsonAtomic(file, profile);
    if (order !== 'profile_only') await this.ledger.write(body.id, ledger);
    if (order === 'ledger_first') writeJsonAtomic(file, profile);
  }

  /**
   * Best-effort removal of the database files after crypto-erase. The erase itself is the
   * destroyed wrapped key; deleting the files also stops an old backup of profile.json from
   * ever meeting the data again on this disk.
   */
  destroyStore(id: string): void {
    const db = storePath(this.dataDir, id);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      try {
        rmSync(f, { force: true });
      } catch {
        // Still open elsewhere (Windows locks open files); the key is already gone.
      }
    }
  }

  async removeLedger(id: string): Promise<void> {
    await this.ledger.remove(id);
  }

  private async readLedger(id: string, keys: MacKeys): Promise<CounterState | null> {
    const raw = await this.ledger.read(id);
    if (raw === null || raw === undefined) return null;
    const parsed = ledgerRecordSchema.safeParse(raw);
    if (!parsed.success) throw tampered('the attempt ledger entry is unreadable');
    const { mac, ...rest } = parsed.data;
    if (rest.profileId !== id || !macMatches(keys.ledger, rest, fromB64(mac))) {
      throw tampered('the attempt ledger entry failed authentication');
    }
    return { seq: rest.seq, failed: rest.failed, max: rest.max, erased: rest.erased, wrappedKeyDigest: rest.wrappedKeyDigest };
  }
}

export function counterOf(body: ProfileBody): CounterState {
  return { ...body.attempts, erased: body.erased, wrappedKeyDigest: digestOf(body) };
}

export function wrappedKeyOf(body: ProfileBody): WrappedKey | null {
  const w = body.wrappedKey;
  return w ? { algorithm: w.algorithm, nonce: fromB64(w.nonce), ciphertext: fromB64(w.ciphertext) } : null;
}

export function kdfParamsOf(body: ProfileBody): KdfParams {
  const { salt: _salt, ...params } = body.kdf;
  return params;
}

function digestOf(body: ProfileBody): string | null {
  return digestWrappedKey(wrappedKeyOf(body));
}

/** The erased form of a profile: public facts stay (so the list can say what happened), the key goes. */
export function eraseBody(body: ProfileBody, now: number, seq: number, reason: 'too_many_attempts' | 'remote_wipe' = 'too_many_attempts'): ProfileBody {
  return {
    ...body,
    erased: true,
    erasedAt: now,
    erasedReason: reason,
    wrappedKey: null,
    attempts: { ...body.attempts, seq },
  };
}

export function erasedError(): VaultError {
  return new VaultError('erased', 'This profile was erased after too many wrong PINs. Enrol again to use Wardline on this workstation.');
}

function tampered(reason: string): VaultError {
  return new VaultError('tampered', `This profile cannot be opened: ${reason}.`);
}
