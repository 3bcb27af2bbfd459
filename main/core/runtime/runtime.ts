import { deserializeDeviceKeys, serializeDeviceKeys } from '../crypto';
import type { Rng } from '../crypto';
import { enrolNewDevice } from '../messaging/account';
import type { Account } from '../messaging/account';
import { MessagingEngine } from '../messaging/engine';
import type { EngineEvents } from '../messaging/engine';
import type { SweepTimers } from '../messaging/retention';
import type { PolicyProvider } from '../policy';
import type { LockReason } from '../../../protocol/models';
import { decodeBase64 } from '../../../protocol/relay';
import type { RelayPush } from '../../../protocol/relay';
import { verifyWipeOrder } from '../../../protocol/wipe';
import type { CheckpointerOptions, Store } from '../store';
import { openInThread, openInThreadWithCheckpoints, ProfileVault } from '../vault';
import type { Argon2idFn, DeviceSecretProvider, KdfParams, ProfileSession } from '../vault';

export interface RuntimeOptions {
  dataDir: string;
  deviceSecrets: DeviceSecretProvider;
  /** Tests and the demo only: accept a device-secret provider that is not the OS keystore. */
  allowInsecureDeviceSecret?: boolean;
  policy: PolicyProvider;
  rng: Rng;
  now?: () => number;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Lower KDF cost for tests; production uses the vault's default (Argon2id, 64 MiB). */
  kdf?: KdfParams;
  argon2id?: Argon2idFn;
  /** Checkpoint each open store's WAL on a thread of its own (the app and the web host do). */
  checkpointer?: CheckpointerOptions;
  reconnectDelayMs?: number;
  /** The workstation's clock and timers, for the engine's retention sweep and urgent checks. */
  timers?: SweepTimers;
  events?: Partial<EngineEvents> & { locked?(profileId: string, reason: LockReason): void; wiped?(profileId: string): void };
  /** The shared-workstation behaviour (auto-lock, audit, notifications, clipboard) around each open profile. */
  hooks?: {
    unlocked(session: ProfileSession<Store>, enrolled: boolean): void;
    beforeLock(session: ProfileSession<Store>, reason: LockReason | 'switch'): Promise<void>;
    unlockFailed(profileId: string, error: unknown, stateBefore: 'active' | 'erased' | undefined): void;
  };
}

export interface OpenProfile {
  session: ProfileSession<Store>;
  store: Store;
  engine: MessagingEngine;
  account: Account;
}

export class RuntimeError extends Error {
  constructor(
    readonly code: 'locked' | 'not_enrolled',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/**
 * The profile in use on this workstation, at most one at a time: unlocking opens its encrypted
 * store and starts its messaging engine; locking stops the engine and closes the store, which
 * drops the database key. The relay keeps the locked profile's messages until it returns.
 */
export class ProfileRuntime {
  private vaultCache: { key: string; vault: ProfileVault<Store> } | null = null;
  private open: OpenProfile | null = null;

  constructor(private readonly o: RuntimeOptions) {}

  get current(): OpenProfile | null {
    return this.open;
  }

  requireOpen(): OpenProfile {
    if (!this.open) throw new RuntimeError('locked', 'No profile is unlocked.');
    return this.open;
  }

  /** The vault under the current policy; rebuilt only when the PIN rules change. */
  vault(): ProfileVault<Store> {
    const v = this.o.policy.current().values;
    const key = `${v.maxPinAttempts}/${v.minPinLength}`;
    if (this.vaultCache?.key !== key) {
      const vault = new ProfileVault<Store>({
        dataDir: this.o.dataDir,
        deviceSecrets: this.o.deviceSecrets,
        open: this.o.checkpointer ? openInThreadWithCheckpoints(this.o.checkpointer) : openInThread,
        allowInsecureDeviceSecret: this.o.allowInsecureDeviceSecret,
        policy: { maxFailedAttempts: v.maxPinAttempts, minPinLength: v.minPinLength, ...(this.o.kdf ? { kdf: this.o.kdf } : {}) },
        ...(this.o.argon2id ? { argon2id: this.o.argon2id } : {}),
        now: this.o.now,
      });
      this.vaultCache = { key, vault };
    }
    return this.vaultCache.vault;
  }

  /** Enrols this workstation with the relay, creates the encrypted profile and opens it. */
  async enrol(input: { relayUrl: string; code: string; pin: string }): Promise<OpenProfile> {
    const policy = this.o.policy.refresh().values;
    if (input.pin.length < policy.minPinLength) throw new RangeError(`The PIN must have at least ${policy.minPinLength} digits.`);
    const pinned = policy.directoryPublicKey ? Uint8Array.from(atob(policy.directoryPublicKey), (c) => c.charCodeAt(0)) : null;
    const { account, deviceKeys } = await enrolNewDevice({ relayUrl: input.relayUrl, code: input.code, rng: this.o.rng, pinnedDirectoryKey: pinned });
    await this.lock('switch');
    const session = await this.vault().enrol({ displayName: account.displayName, userId: account.userId, pin: input.pin });
    session.store.account.set({ ...account, deviceKeys: serializeDeviceKeys(deviceKeys), now: this.now() });
    return this.start(session, true);
  }

  /** Checks the PIN (VaultError on failure) and opens the profile; any other open profile is locked first. */
  async unlock(profileId: string, pin: string): Promise<OpenProfile> {
    this.o.policy.refresh();
    if (this.open?.session.profileId === profileId) return this.open;
    await this.lock('switch');
    const vault = this.vault();
    const before = vault.list().find((p) => p.id === profileId)?.state;
    let session: ProfileSession<Store>;
    try {
      session = await vault.unlock(profileId, pin);
    } catch (err) {
      this.o.hooks?.unlockFailed(profileId, err, before);
      throw err;
    }
    return this.start(session, false);
  }

  async lock(reason: LockReason | 'switch'): Promise<string | null> {
    const open = this.open;
    if (!open) return null;
    this.open = null;
    open.engine.stop();
    await this.o.hooks?.beforeLock(open.session, reason);
    await open.session.lock();
    // A switch to another profile is not announced: the next unlock replaces the screen anyway.
    if (reason !== 'switch') this.o.events?.locked?.(open.session.profileId, reason);
    return open.session.profileId;
  }

  async changePin(currentPin: string, newPin: string): Promise<void> {
    const open = this.requireOpen();
    await this.vault().changePin(open.session.profileId, currentPin, newPin);
  }

  /**
   * The relay says this workstation was revoked. Only a wipe order that verifies under the pinned
   * directory key for exactly this device erases the profile; anything else is logged and ignored
   * (the relay refuses this device from now on either way).
   */
  private async revoked(profileId: string, account: Account, push: RelayPush<'device.revoked'>): Promise<void> {
    const log = this.o.log ?? (() => undefined);
    if (!push.wipe) {
      log('wipe.missing', { profileId });
      return;
    }
    try {
      verifyWipeOrder(decodeBase64(push.wipe), account.directoryKey, { userId: account.userId, deviceId: account.deviceId });
    } catch (err) {
      log('wipe.ignored', { profileId, reason: err instanceof Error ? err.message : 'invalid' });
      return;
    }
    log('wipe.verified', { profileId, reason: push.reason });
    const open = this.open;
    if (open?.session.profileId === profileId) {
      this.open = null;
      open.engine.stop();
      await this.o.hooks?.beforeLock(open.session, 'remote-wipe');
    }
    await this.vault().wipe(profileId);
    this.o.events?.locked?.(profileId, 'remote-wipe');
    this.o.events?.wiped?.(profileId);
  }

  private start(session: ProfileSession<Store>, enrolled: boolean): OpenProfile {
    const store = session.store;
    const saved = store.account.get();
    if (!saved) {
      void session.lock();
      throw new RuntimeError('not_enrolled', 'This profile was never enrolled with a relay; add it again.');
    }
    const { deviceKeys, ...account } = saved;
    const engine = new MessagingEngine({
      store,
      account,
      deviceKeys: deserializeDeviceKeys(deviceKeys),
      rng: this.o.rng,
      now: this.o.now,
      log: this.o.log,
      events: { ...this.o.events, revoked: (push) => void this.revoked(session.profileId, account, push) },
      reconnectDelayMs: this.o.reconnectDelayMs,
      timers: this.o.timers,
      retentionDays: () => this.o.policy.current().values.retentionDays,
      urgentUndeliveredMinutes: () => this.o.policy.current().values.urgentUndeliveredMinutes,
    });
    this.open = { session, store, engine, account };
    this.o.hooks?.unlocked(session, enrolled);
    engine.start();
    return this.open;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}
