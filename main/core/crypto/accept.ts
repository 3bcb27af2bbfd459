/**
 * The responder's side of session set-up: open an initial message with this device's prekeys.
 * Returns the new session and the device keys without the one-time prekeys the message used;
 * the caller commits both (with the plaintext and its dedupe marker) in one transaction.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { MAX_REMEMBERED_BASE_KEYS, MAX_REMEMBERED_USED_IDS } from './constants';
import type { DeviceKeys } from './device-keys';
import { CryptoError } from './errors';
import { assertIdentityKey } from './identity';
import { pqxdhRespond } from './pqxdh';
import type { OneTimePreKey, PqPreKey, SignedPreKey } from './prekeys';
import { responderRatchet } from './ratchet';
import { decryptMessage, type Session } from './session';
import { parseInitialMessage, type InitialMessage } from './wire';

export interface AcceptedMessage {
  readonly session: Session;
  readonly plaintext: Uint8Array;
  /** Equal to the input when the message belonged to `existing`; otherwise keys were consumed. */
  readonly deviceKeys: DeviceKeys;
  /** True when this message created the session (false: it continued `existing`). */
  readonly isNewSession: boolean;
}

/**
 * Opens an initial message. `expectedRemoteIdentity` is the sender's certified identity key.
 * If `existing` is the session this message's PQXDH set-up already created (same base key),
 * the message is simply decrypted in it: the initiator repeats the set-up fields until it hears
 * back. Otherwise PQXDH runs; a one-time prekey is found, used and removed, and a message
 * naming one that is gone is refused (`duplicate` if recently used, else `unknown_prekey`).
 */
export function acceptInitialMessage(
  device: DeviceKeys,
  message: Uint8Array,
  expectedRemoteIdentity: Uint8Array,
  existing?: Session,
): AcceptedMessage {
  const initial = parseInitialMessage(message);
  assertIdentityKey(expectedRemoteIdentity, 'expected identity key');
  if (!equalBytes(initial.identityKey, expectedRemoteIdentity)) {
    throw new CryptoError('identity_mismatch', 'initial message identity key is not the expected one');
  }
  if (existing !== undefined && equalBytes(existing.baseKey, initial.baseKey) && equalBytes(existing.remoteIdentity, initial.identityKey)) {
    const { session, plaintext } = decryptMessage(existing, initial.message);
    return { session, plaintext, deviceKeys: device, isNewSession: false };
  }
  const keys = findPreKeys(device, initial);
  const secrets = pqxdhRespond({
    identity: device.identity,
    remoteIdentity: initial.identityKey,
    baseKey: initial.baseKey,
    signedPreKeySecret: keys.signed.keyPair.secretKey,
    oneTimePreKeySecret: keys.oneTime?.keyPair.secretKey,
    pqPreKeySecret: keys.pq.secretKey,
    kemCiphertext: initial.kemCiphertext,
  });
  const fresh: Session = {
    localIdentity: device.identity.publicKey,
    remoteIdentity: initial.identityKey.slice(),
    baseKey: initial.baseKey.slice(),
    ratchet: responderRatchet(secrets, keys.signed.keyPair),
    pendingPreKey: null,
  };
  // Only after the first message authenticates are prekeys consumed.
  const { session, plaintext } = decryptMessage(fresh, initial.message);
  return { session, plaintext, deviceKeys: consume(device, initial, keys), isNewSession: true };
}

interface FoundKeys {
  readonly signed: SignedPreKey;
  readonly oneTime: OneTimePreKey | undefined;
  readonly pq: PqPreKey;
  readonly pqIsOneTime: boolean;
}

function findPreKeys(device: DeviceKeys, initial: InitialMessage): FoundKeys {
  const signed = device.signedPreKeys.find((k) => k.id === initial.signedPreKeyId);
  if (signed === undefined) throw new CryptoError('unknown_prekey', `no signed prekey ${initial.signedPreKeyId}`);
  let oneTime: OneTimePreKey | undefined;
  if (initial.oneTimePreKeyId !== undefined) {
    oneTime = device.oneTimePreKeys.get(initial.oneTimePreKeyId);
    if (oneTime === undefined) throw missing(device, initial.oneTimePreKeyId);
  }
  const oneTimePq = device.oneTimePqPreKeys.get(initial.pqPreKeyId);
  const pq = oneTimePq ?? device.lastResortPqPreKeys.find((k) => k.id === initial.pqPreKeyId);
  if (pq === undefined) throw missing(device, initial.pqPreKeyId);
  const found = { signed, oneTime, pq, pqIsOneTime: oneTimePq !== undefined };
  // With only reusable prekeys nothing is deleted by use, so a replay must be refused by name.
  if (!usesOneTimeKey(found) && device.seenBaseKeys.some((k) => equalBytes(k, initial.baseKey))) {
    throw new CryptoError('duplicate', 'initial message already accepted');
  }
  return found;
}

function consume(device: DeviceKeys, initial: InitialMessage, keys: FoundKeys): DeviceKeys {
  const used: number[] = [];
  const oneTimePreKeys = new Map(device.oneTimePreKeys);
  if (keys.oneTime !== undefined && oneTimePreKeys.delete(keys.oneTime.id)) used.push(keys.oneTime.id);
  const oneTimePqPreKeys = new Map(device.oneTimePqPreKeys);
  if (keys.pqIsOneTime && oneTimePqPreKeys.delete(keys.pq.id)) used.push(keys.pq.id);
  const seenBaseKeys = usesOneTimeKey(keys) ? device.seenBaseKeys : [...device.seenBaseKeys, initial.baseKey.slice()];
  return {
    ...device,
    oneTimePreKeys,
    oneTimePqPreKeys,
    usedPreKeyIds: [...device.usedPreKeyIds, ...used].slice(-MAX_REMEMBERED_USED_IDS),
    seenBaseKeys: seenBaseKeys.slice(-MAX_REMEMBERED_BASE_KEYS),
  };
}

function usesOneTimeKey(keys: FoundKeys): boolean {
  return keys.oneTime !== undefined || keys.pqIsOneTime;
}

function missing(device: DeviceKeys, id: number): CryptoError {
  return device.usedPreKeyIds.includes(id)
    ? new CryptoError('duplicate', `one-time prekey ${id} was already used`)
    : new CryptoError('unknown_prekey', `no prekey ${id}`);
}
