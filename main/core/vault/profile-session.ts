import { VaultError } from './errors';

/** What a session needs from the store it holds: an audit log and a way to drop it. */
export interface SessionStore {
  readonly accessLog: { append(entry: { at: number; event: string; detail?: string | null }): unknown };
  close(): unknown;
}

export interface SessionInit<S> {
  profileId: string;
  displayName: string;
  userId: string;
  store: S;
  failedAttemptsBeforeUnlock: number;
  restoredCopyDetected: boolean;
  now: () => number;
  onLock: (s: ProfileSession<S & SessionStore>) => void;
}

/**
 * An unlocked profile. lock() closes the store, which drops the database key with the handle;
 * from then on `store` throws VaultError('locked') and the store object itself throws
 * StoreError('locked'), so nothing can read the profile until the PIN is entered again.
 */
export class ProfileSession<S extends SessionStore> {
  readonly profileId: string;
  readonly displayName: string;
  readonly userId: string;
  /** Failed PIN attempts since the previous unlock: shown to the clinician, who may not have made them. */
  readonly failedAttemptsBeforeUnlock: number;
  /** An older copy of profile.json or of the attempt ledger was found and overruled. */
  readonly restoredCopyDetected: boolean;
  #store: S | null;
  readonly #init: SessionInit<S>;

  constructor(init: SessionInit<S>) {
    this.profileId = init.profileId;
    this.displayName = init.displayName;
    this.userId = init.userId;
    this.failedAttemptsBeforeUnlock = init.failedAttemptsBeforeUnlock;
    this.restoredCopyDetected = init.restoredCopyDetected;
    this.#store = init.store;
    this.#init = init;
  }

  get locked(): boolean {
    return this.#store === null;
  }

  get store(): S {
    if (!this.#store) throw new VaultError('locked', 'This profile is locked. Enter the PIN to unlock it.');
    return this.#store;
  }

  async lock(): Promise<void> {
    const s = this.#store;
    if (!s) return;
    this.#store = null;
    this.#init.onLock(this);
    try {
      await s.accessLog.append({ at: this.#init.now(), event: 'lock' });
    } finally {
      await s.close();
    }
  }
}
