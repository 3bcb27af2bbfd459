/**
 * A device's own key material as one immutable value: identity, signed prekeys, one-time
 * prekeys (X25519 and ML-KEM-1024) and last-resort PQ prekeys. Accepting an initial message
 * returns a new DeviceKeys without the one-time keys it used; committing that value together
 * with the new session is what makes a one-time prekey single-use.
 */
import { type Rng } from './bytes';
import { CryptoError } from './errors';
import { generateIdentityKeyPair, type IdentityKeyPair } from './identity';
import {
  generateOneTimePreKey,
  generatePqPreKey,
  generateSignedPreKey,
  type OneTimePreKey,
  type PqPreKey,
  type PreKeyBundle,
  type SignedPreKey,
} from './prekeys';

export interface DeviceKeys {
  readonly identity: IdentityKeyPair;
  /** Newest first; the previous one is kept so initial messages in flight at rotation still open. */
  readonly signedPreKeys: readonly SignedPreKey[];
  /** Newest first, as signedPreKeys. Used when no one-time PQ prekey is left; never deleted on use. */
  readonly lastResortPqPreKeys: readonly PqPreKey[];
  readonly oneTimePreKeys: ReadonlyMap<number, OneTimePreKey>;
  readonly oneTimePqPreKeys: ReadonlyMap<number, PqPreKey>;
  /** All prekey ids of every kind come from this one counter, so an id names one key. */
  readonly nextPreKeyId: number;
  /** Recently consumed one-time ids, oldest first: a reuse is reported as `duplicate`. */
  readonly usedPreKeyIds: readonly number[];
  /**
   * Base keys of accepted initial messages that used no one-time prekey, oldest first. Such a
   * message could otherwise be replayed to open a second session; this list refuses it.
   */
  readonly seenBaseKeys: readonly Uint8Array[];
}

/** Public halves for upload to the relay, which hands one of each out per bundle. */
export interface PublishedPreKeys {
  readonly identityKey: Uint8Array;
  readonly signedPreKey: PreKeyBundle['signedPreKey'];
  readonly lastResortPqPreKey: PreKeyBundle['pqPreKey'];
  readonly oneTimePreKeys: readonly { readonly id: number; readonly publicKey: Uint8Array }[];
  readonly oneTimePqPreKeys: readonly PreKeyBundle['pqPreKey'][];
}

export interface PreKeyCounts {
  readonly oneTimePreKeys: number;
  readonly oneTimePqPreKeys: number;
}

const MAX_BATCH = 10_000;
/** Ids stay below this so nextPreKeyId itself always fits the u32 it is stored as. */
const MAX_PREKEY_ID = 0xffff_ffff;

/** A new device: identity (unless given), a signed prekey, a last-resort PQ prekey, one-time keys. */
export function generateDeviceKeys(rng: Rng, counts: PreKeyCounts, identity?: IdentityKeyPair): DeviceKeys {
  const id = identity ?? generateIdentityKeyPair(rng);
  const empty: DeviceKeys = {
    identity: id,
    signedPreKeys: [generateSignedPreKey(id, 1, rng)],
    lastResortPqPreKeys: [generatePqPreKey(id, 2, rng)],
    oneTimePreKeys: new Map(),
    oneTimePqPreKeys: new Map(),
    nextPreKeyId: 3,
    usedPreKeyIds: [],
    seenBaseKeys: [],
  };
  return addOneTimePreKeys(empty, rng, counts);
}

export function addOneTimePreKeys(device: DeviceKeys, rng: Rng, counts: PreKeyCounts): DeviceKeys {
  assertCount(counts.oneTimePreKeys);
  assertCount(counts.oneTimePqPreKeys);
  let nextId = device.nextPreKeyId;
  const take = (): number => {
    if (nextId >= MAX_PREKEY_ID) throw new CryptoError('invalid_argument', 'prekey ids exhausted');
    return nextId++;
  };
  const oneTime = new Map(device.oneTimePreKeys);
  for (let i = 0; i < counts.oneTimePreKeys; i++) {
    const key = generateOneTimePreKey(take(), rng);
    oneTime.set(key.id, key);
  }
  const oneTimePq = new Map(device.oneTimePqPreKeys);
  for (let i = 0; i < counts.oneTimePqPreKeys; i++) {
    const key = generatePqPreKey(device.identity, take(), rng);
    oneTimePq.set(key.id, key);
  }
  return { ...device, oneTimePreKeys: oneTime, oneTimePqPreKeys: oneTimePq, nextPreKeyId: nextId };
}

/** New signed prekey and last-resort PQ prekey; the previous of each is kept, older ones dropped. */
export function rotateSignedPreKeys(device: DeviceKeys, rng: Rng): DeviceKeys {
  const spkId = device.nextPreKeyId;
  const pqId = spkId + 1;
  if (pqId >= MAX_PREKEY_ID) throw new CryptoError('invalid_argument', 'prekey ids exhausted');
  return {
    ...device,
    signedPreKeys: [generateSignedPreKey(device.identity, spkId, rng), ...device.signedPreKeys.slice(0, 1)],
    lastResortPqPreKeys: [generatePqPreKey(device.identity, pqId, rng), ...device.lastResortPqPreKeys.slice(0, 1)],
    nextPreKeyId: pqId + 1,
  };
}

export function publishedPreKeys(device: DeviceKeys): PublishedPreKeys {
  const spk = current(device.signedPreKeys);
  const lastResort = current(device.lastResortPqPreKeys);
  return {
    identityKey: device.identity.publicKey,
    signedPreKey: { id: spk.id, publicKey: spk.keyPair.publicKey, signature: spk.signature },
    lastResortPqPreKey: publicPq(lastResort),
    oneTimePreKeys: [...device.oneTimePreKeys.values()].map((k) => ({ id: k.id, publicKey: k.keyPair.publicKey })),
    oneTimePqPreKeys: [...device.oneTimePqPreKeys.values()].map(publicPq),
  };
}

/**
 * The bundle a relay would hand out: the current signed prekey, the given one-time prekey (if
 * any) and the given one-time PQ prekey or, without one, the last-resort PQ prekey.
 */
export function bundleFor(device: DeviceKeys, choice: { oneTimePreKeyId?: number; pqPreKeyId?: number } = {}): PreKeyBundle {
  const published = publishedPreKeys(device);
  const oneTime = choice.oneTimePreKeyId === undefined ? undefined : device.oneTimePreKeys.get(choice.oneTimePreKeyId);
  const pq = choice.pqPreKeyId === undefined ? undefined : device.oneTimePqPreKeys.get(choice.pqPreKeyId);
  if ((choice.oneTimePreKeyId !== undefined && !oneTime) || (choice.pqPreKeyId !== undefined && !pq)) {
    throw new CryptoError('unknown_prekey', 'no such one-time prekey on this device');
  }
  return {
    identityKey: published.identityKey,
    signedPreKey: published.signedPreKey,
    oneTimePreKey: oneTime ? { id: oneTime.id, publicKey: oneTime.keyPair.publicKey } : undefined,
    pqPreKey: pq ? publicPq(pq) : published.lastResortPqPreKey,
  };
}

function current<T>(keys: readonly T[]): T {
  const key = keys[0];
  if (key === undefined) throw new CryptoError('invalid_argument', 'device has no current prekey');
  return key;
}

function publicPq(key: PqPreKey): PreKeyBundle['pqPreKey'] {
  return { id: key.id, publicKey: key.publicKey, signature: key.signature };
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_BATCH) {
    throw new CryptoError('invalid_argument', `prekey count must be 0..${MAX_BATCH}, got ${n}`);
  }
}
