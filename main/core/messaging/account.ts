import { equalBytes } from '@noble/curves/utils.js';
import { addOneTimePreKeys, generateDeviceKeys, publishedPreKeys, serializeDeviceKeys } from '../crypto';
import type { DeviceKeys, PublishedPreKeys, Rng } from '../crypto';
import { sign } from '../crypto/identity';
import { verifyDeviceCertificate } from '../../../protocol/certificate';
import { decodeBase64, encodeBase64, enrolmentProofMessage } from '../../../protocol/relay';
import type { EnrolRequest, OneTimePrekey, Prekey } from '../../../protocol/relay';
import { enrolDevice } from '../net/http';
import type { EngineParts } from './parts';

/** Who this profile is on the relay: fixed at enrolment, kept in the encrypted store. */
export interface Account {
  userId: string;
  deviceId: string;
  username: string;
  displayName: string;
  relayUrl: string;
  /** Pinned at enrolment (or given by policy): every device certificate must verify under it. */
  directoryKey: Uint8Array;
  certificate: Uint8Array;
}

/** How many one-time prekeys a device keeps on the relay, and when to top them up. */
export const PREKEY_TARGET = { oneTimePreKeys: 100, oneTimePqPreKeys: 20 } as const;
export const PREKEY_LOW_WATER = 20;

export class EnrolmentError extends Error {
  override readonly name = 'EnrolmentError';
}

/**
 * Enrols this workstation with a one-time code from IT: makes the device's keys, proves to the
 * relay we hold the identity key, and checks the certificate it returns under the directory key
 * (the policy's pinned key when set; a relay answering with any other key is refused).
 */
export async function enrolNewDevice(input: {
  relayUrl: string;
  code: string;
  rng: Rng;
  pinnedDirectoryKey: Uint8Array | null;
}): Promise<{ account: Account; deviceKeys: DeviceKeys }> {
  const deviceKeys = generateDeviceKeys(input.rng, PREKEY_TARGET);
  const published = publishedPreKeys(deviceKeys);
  const identityKey = deviceKeys.identity.publicKey;
  const request: EnrolRequest = {
    code: input.code,
    identityKey: encodeBase64(identityKey),
    proof: encodeBase64(sign(deviceKeys.identity, enrolmentProofMessage(input.code, identityKey))),
    ...relayPrekeys(published),
  };
  const answer = await enrolDevice(input.relayUrl, request);
  const directoryKey = decodeBase64(answer.directoryKey);
  if (input.pinnedDirectoryKey && !equalBytes(input.pinnedDirectoryKey, directoryKey)) {
    throw new EnrolmentError('The relay presented a directory key that differs from the one your organisation configured. Enrolment was stopped.');
  }
  const certificate = decodeBase64(answer.certificate);
  verifyDeviceCertificate(certificate, directoryKey, { userId: answer.userId, deviceId: answer.deviceId, identityKey });
  return {
    account: {
      userId: answer.userId,
      deviceId: answer.deviceId,
      username: answer.username,
      displayName: answer.displayName,
      relayUrl: input.relayUrl,
      directoryKey,
      certificate,
    },
    deviceKeys,
  };
}

/** The relay's JSON shapes for our public prekeys. */
export function relayPrekeys(p: PublishedPreKeys): Pick<EnrolRequest, 'signedPrekey' | 'pqLastResortPrekey' | 'oneTimePrekeys' | 'pqOneTimePrekeys'> {
  const signed = (k: { id: number; publicKey: Uint8Array; signature: Uint8Array }): Prekey => ({
    id: k.id,
    publicKey: encodeBase64(k.publicKey),
    signature: encodeBase64(k.signature),
  });
  const oneTime = (k: { id: number; publicKey: Uint8Array }): OneTimePrekey => ({ id: k.id, publicKey: encodeBase64(k.publicKey) });
  return {
    signedPrekey: signed(p.signedPreKey),
    pqLastResortPrekey: signed(p.lastResortPqPreKey),
    oneTimePrekeys: p.oneTimePreKeys.map(oneTime),
    pqOneTimePrekeys: p.oneTimePqPreKeys.map(signed),
  };
}

/**
 * Keeps PREKEY_TARGET one-time prekeys on the relay: new keys are committed (and handed to
 * `adopt`) before they are uploaded, so a key the relay hands out is always one we still hold.
 */
export async function topUpPrekeys(
  deps: Pick<EngineParts, 'relay' | 'store' | 'rng'>,
  keys: DeviceKeys,
  adopt: (next: DeviceKeys) => void,
): Promise<void> {
  const status = await deps.relay.request('prekeys.status', {});
  const want = {
    oneTimePreKeys: status.prekeys.oneTimePrekeys < PREKEY_LOW_WATER ? PREKEY_TARGET.oneTimePreKeys - status.prekeys.oneTimePrekeys : 0,
    oneTimePqPreKeys: status.prekeys.pqOneTimePrekeys < PREKEY_LOW_WATER / 2 ? PREKEY_TARGET.oneTimePqPreKeys - status.prekeys.pqOneTimePrekeys : 0,
  };
  if (want.oneTimePreKeys <= 0 && want.oneTimePqPreKeys <= 0) return;
  const before = new Set([...keys.oneTimePreKeys.keys(), ...keys.oneTimePqPreKeys.keys()]);
  const next = addOneTimePreKeys(keys, deps.rng, { oneTimePreKeys: Math.max(0, want.oneTimePreKeys), oneTimePqPreKeys: Math.max(0, want.oneTimePqPreKeys) });
  deps.store.account.setDeviceKeys(serializeDeviceKeys(next));
  adopt(next);
  const published = relayPrekeys(publishedPreKeys(next));
  await deps.relay.request('prekeys.upload', {
    oneTimePrekeys: published.oneTimePrekeys?.filter((k) => !before.has(k.id)),
    pqOneTimePrekeys: published.pqOneTimePrekeys?.filter((k) => !before.has(k.id)),
  });
}
