import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { FileAttemptLedger } from './attempt-ledger';
import type { AttemptLedger } from './attempt-ledger';
import type { DeviceSecretProvider } from './device-secret';
import { VaultError } from './errors';
import { argon2idInThread, assertKdfParams, DEFAULT_KDF_PARAMS, isStronger, KDF_SALT_BYTES, pinBytes } from './kdf';
import type { Argon2idFn, KdfParams } from './kdf';
import { DB_KEY_BYTES, deriveKek, deriveMacKeys, unwrapKey, wipeMacKeys, wrapKey } from './key-wrap';
import type { MacKeys } from './key-wrap';
import { listProfiles } from './profile-directory';
import type { ProfileSummary } from './profile-directory';
import { fromB64, PROFILE_FORMAT, profileDir, profilesRoot, storePath, toB64 } from './profile-file';
import type { ProfileBody } from './profile-file';
import { eraseBody, erasedError, kdfParamsOf, ProfileRecords, wrappedKeyOf } from './profile-records';
import { ProfileSession } from './profile-session';
import type { SessionStore } from './profile-session';

export interface VaultPolicy {
  /** Wrong PINs before the wrapped key is destroyed. */
  maxFailedAttempts: number;
  minPinLength: number;
  /** Applied at enrolment and PIN change; a profile with weaker recorded parameters is re-wrapped at its next unlock. */
  kdf: KdfParams;
}

export const DEFAULT_VAULT_POLICY: VaultPolicy = { maxFailedAttempts: 10, minPinLength: 6, kdf: DEFAULT_KDF_PARAMS };

/** Opens the profile's database with its key; e.g. openStore (same thread) or openStoreInWorker. */
export type StoreOpener<S> = (path: string, key: Uint8Array, create: boolean) => S | Promise<S>;

export interface ProfileVaultOptions<S> {
  dataDir: string;
  deviceSecrets: DeviceSecretProvider;
  open: StoreOpener<S>;
  /** Required to accept a provider whose `secure` is false. Tests and the demo only. */
  allowInsecureDeviceSecret?: boolean;
  policy?: Partial<VaultPolicy>;
  ledger?: AttemptLedger;
  argon2id?: Argon2idFn;
  now?: () => number;
}

interface Verified {
  body: ProfileBody;
  dbKey: Uint8Array;
  failedBefore: number;
  restoredCopyDetected: boolean;
}

/**
 * The key hierarchy of every profile on this workstation: enrol, unlock, change PIN, count wrong
 * PINs and crypto-erase. Operations on one profile run one at a time, so two concurrent unlock
 * attempts cannot both read the same counter and get an extra guess.
 */
export class ProfileVault<S extends SessionStore> {
  readonly policy: VaultPolicy;
  readonly #o: ProfileVaultOptions<S>;
  readonly #records: ProfileRecords;
  readonly #argon2id: Argon2idFn;
  readonly #now: () => number;
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #sessions = new Set<ProfileSession<S>>();

  constructor(o: ProfileVaultOptions<S>) {
    if (!o.deviceSecrets.secure && o.allowInsecureDeviceSecret !== true) {
      throw new VaultError('insecure_provider_refused', `device-secret provider "${o.deviceSecrets.name}" is not secure`);
    }
    this.policy = { ...DEFAULT_VAULT_POLICY, ...o.policy };
    assertKdfParams(this.policy.kdf);
    if (!Number.isInteger(this.policy.maxFailedAttempts) || this.policy.maxFailedAttempts < 1) throw new RangeError('maxFailedAttempts must be >= 1');
    this.#o = o;
    this.#records = new ProfileRecords(o.dataDir, o.ledger ?? new FileAttemptLedger(o.dataDir));
    this.#argon2id = o.argon2id ?? argon2idInThread;
    this.#now = o.now ?? Date.now;
  }

  list(): ProfileSummary[] {
    return listProfiles(this.#o.dataDir);
  }

  /** Creates a profile with a fresh random DB key and returns it unlocked. */
  async enrol(input: { displayName: string; userId: string; pin: string }): Promise<ProfileSession<S>> {
    this.#checkPin(input.pin);
    const id = randomBytes(16).toString('base64url');
    return this.#withSecrets(id, async (secret, keys) => {
      const now = this.#now();
      const dbKey = new Uint8Array(randomBytes(DB_KEY_BYTES));
      mkdirSync(profilesRoot(this.#o.dataDir), { recursive: true, mode: 0o700 });
      mkdirSync(profileDir(this.#o.dataDir, id), { mode: 0o700 });
      let store: S | null = null;
      try {
        const wrapped = await this.#wrap(id, dbKey, input.pin, secret);
        const body: ProfileBody = {
          format: PROFILE_FORMAT, id, displayName: input.displayName, userId: input.userId,
          createdAt: now, lastUsedAt: now, erased: false, erasedAt: null, erasedReason: null,
          ...wrapped, attempts: { failed: 0, max: this.policy.maxFailedAttempts, seq: 1 },
        };
        store = await this.#o.open(storePath(this.#o.dataDir, id), dbKey, true);
        // profile.json is written last: it is what makes the folder a profile.
        await this.#records.write(body, keys, 'ledger_first');
        await store.accessLog.append({ at: now, event: 'enrol' });
        return this.#session(body, store, 0, false);
      } catch (e) {
        await store?.close();
        rmSync(profileDir(this.#o.dataDir, id), { recursive: true, force: true });
        await this.#records.removeLedger(id);
        throw e;
      } finally {
        dbKey.fill(0);
      }
    });
  }

  /**
   * Checks the PIN and opens the store. Throws VaultError 'wrong_pin' (with attemptsLeft),
   * 'erased' (this attempt was the last one, or earlier ones were), 'tampered', 'not_found'.
   */
  async unlock(id: string, pin: string): Promise<ProfileSession<S>> {
    return this.#withSecrets(id, async (secret, keys) => {
      const v = await this.#verify(id, pin, secret, keys);
      try {
        let body = v.body;
        const upgrade = isStronger(this.policy.kdf, kdfParamsOf(body));
        if (upgrade) body = { ...body, ...(await this.#wrap(id, v.dbKey, pin, secret)) };
        // A new wrapped key must reach profile.json before the ledger records its digest.
        await this.#records.write(body, keys, upgrade ? 'profile_first' : 'ledger_first');
        const store = await this.#o.open(storePath(this.#o.dataDir, id), v.dbKey, false);
        const detail = JSON.stringify({ failedAttemptsBefore: v.failedBefore, restoredCopyDetected: v.restoredCopyDetected, kdfUpgraded: upgrade });
        await store.accessLog.append({ at: this.#now(), event: 'unlock', detail });
        return this.#session(body, store, v.failedBefore, v.restoredCopyDetected);
      } finally {
        v.dbKey.fill(0);
      }
    });
  }

  /** Re-wraps the same DB key under a new PIN (and current KDF policy); the database is untouched. */
  async changePin(id: string, oldPin: string, newPin: string): Promise<void> {
    this.#checkPin(newPin);
    await this.#withSecrets(id, async (secret, keys) => {
      const v = await this.#verify(id, oldPin, secret, keys);
      try {
        const body = { ...v.body, ...(await this.#wrap(id, v.dbKey, newPin, secret)) };
        await this.#records.write(body, keys, 'profile_first');
      } finally {
        v.dbKey.fill(0);
      }
    });
  }

  /**
   * Deletes a profile that can no longer be opened (erased, tampered, corrupt). An openable
   * profile is not removable from here without its PIN: anyone at the keyboard could otherwise
   * delete a colleague's messages.
   */
  async remove(id: string): Promise<void> {
    await this.#withSecrets(id, async (_secret, keys) => {
      try {
        await this.#records.load(id, keys, this.#now());
      } catch (e) {
        if (!(e instanceof VaultError) || !['erased', 'tampered', 'corrupt'].includes(e.code)) throw e;
        await this.#lockSessions(id);
        rmSync(profileDir(this.#o.dataDir, id), { recursive: true, force: true });
        await this.#records.removeLedger(id);
        return;
      }
      throw new VaultError('not_removable', 'This profile is active; only an erased or damaged profile can be removed here.');
    });
  }

  async #verify(id: string, pin: string, secret: Uint8Array, keys: MacKeys): Promise<Verified> {
    const loaded = await this.#records.load(id, keys, this.#now());
    let body = loaded.body;
    const max = Math.min(body.attempts.max, this.policy.maxFailedAttempts);
    if (body.attempts.failed >= max) throw await this.#erase(body, keys);
    // Count the attempt before trying it: killing the app during the KDF must not give a free guess.
    body = { ...body, attempts: { failed: body.attempts.failed + 1, max, seq: body.attempts.seq + 1 } };
    await this.#records.write(body, keys, 'ledger_first');
    const wrapped = wrappedKeyOf(body);
    if (!wrapped) throw erasedError();
    const password = pinBytes(pin);
    const pinHash = await this.#argon2id(password, fromB64(body.kdf.salt), kdfParamsOf(body));
    password.fill(0);
    const kek = deriveKek(pinHash, secret, id);
    pinHash.fill(0);
    const dbKey = unwrapKey(kek, wrapped, id);
    kek.fill(0);
    if (!dbKey) {
      if (body.attempts.failed >= max) throw await this.#erase(body, keys);
      const left = max - body.attempts.failed;
      throw new VaultError('wrong_pin', `Wrong PIN. ${left} attempt${left === 1 ? '' : 's'} left before this profile is erased.`, left);
    }
    const failedBefore = body.attempts.failed - 1;
    body = { ...body, lastUsedAt: this.#now(), attempts: { failed: 0, max: this.policy.maxFailedAttempts, seq: body.attempts.seq + 1 } };
    return { body, dbKey, failedBefore, restoredCopyDetected: loaded.restoredCopyDetected };
  }

  /**
   * Crypto-erase on the organisation's order (a verified remote wipe): the wrapped key is destroyed
   * in both records and the store file removed, exactly as after too many wrong PINs, recorded as
   * 'remote_wipe'. Needs no PIN: the order's signature is the authority, checked by the caller.
   */
  async wipe(id: string): Promise<void> {
    await this.#withSecrets(id, async (_secret, keys) => {
      let body: ProfileBody;
      try {
        body = (await this.#records.load(id, keys, this.#now())).body;
      } catch (e) {
        if (e instanceof VaultError && e.code === 'erased') return;
        throw e;
      }
      await this.#records.write(eraseBody(body, this.#now(), body.attempts.seq + 1, 'remote_wipe'), keys, 'ledger_first');
      await this.#lockSessions(id);
      this.#records.destroyStore(id);
    });
  }

  /** Crypto-erase: the wrapped key is destroyed in both records; returns the error to throw. */
  async #erase(body: ProfileBody, keys: MacKeys): Promise<VaultError> {
    await this.#records.write(eraseBody(body, this.#now(), body.attempts.seq + 1), keys, 'ledger_first');
    await this.#lockSessions(body.id);
    this.#records.destroyStore(body.id);
    return erasedError();
  }

  async #wrap(id: string, dbKey: Uint8Array, pin: string, secret: Uint8Array): Promise<Pick<ProfileBody, 'kdf' | 'wrappedKey'>> {
    const salt = new Uint8Array(randomBytes(KDF_SALT_BYTES));
    const params = this.policy.kdf;
    const password = pinBytes(pin);
    const pinHash = await this.#argon2id(password, salt, params);
    password.fill(0);
    const kek = deriveKek(pinHash, secret, id);
    pinHash.fill(0);
    const w = wrapKey(kek, dbKey, id);
    kek.fill(0);
    return {
      kdf: { ...params, salt: toB64(salt) },
      wrappedKey: { algorithm: w.algorithm, nonce: toB64(w.nonce), ciphertext: toB64(w.ciphertext) },
    };
  }

  #checkPin(pin: string): void {
    const n = [...pin.normalize('NFKC')].length;
    if (n < Math.max(4, this.policy.minPinLength) || n > 64) {
      throw new VaultError('pin_policy', `The PIN must have at least ${Math.max(4, this.policy.minPinLength)} characters.`);
    }
  }

  #session(body: ProfileBody, store: S, failedBefore: number, restored: boolean): ProfileSession<S> {
    const s = new ProfileSession<S>({
      profileId: body.id, displayName: body.displayName, userId: body.userId, store,
      failedAttemptsBeforeUnlock: failedBefore, restoredCopyDetected: restored, now: this.#now,
      onLock: (x) => this.#sessions.delete(x as ProfileSession<S>),
    });
    this.#sessions.add(s);
    return s;
  }

  async #lockSessions(id: string): Promise<void> {
    for (const s of [...this.#sessions]) if (s.profileId === id) await s.lock();
  }

  /** Serialises per profile and hands out the device secret and MAC keys, wiping them afterwards. */
  #withSecrets<T>(id: string, fn: (secret: Uint8Array, keys: MacKeys) => Promise<T>): Promise<T> {
    const run = async () => {
      const secret = await this.#o.deviceSecrets.getOrCreate();
      const keys = deriveMacKeys(secret);
      try {
        return await fn(secret, keys);
      } finally {
        secret.fill(0);
        wipeMacKeys(keys);
      }
    };
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    const settled = next.catch(() => undefined);
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }
}
