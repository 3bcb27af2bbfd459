/**
 * DeviceKeys <-> bytes for the store (v1, kind 0x05). Same rules as the session record: one
 * encoding per value, bounds and ordering enforced on decode, typed errors only.
 */
import { ByteReader, ByteWriter } from './bytes';
import {
  KEY_LENGTH,
  Kind,
  MAX_REMEMBERED_BASE_KEYS,
  MAX_REMEMBERED_USED_IDS,
  ML_KEM_PUBLIC_KEY_LENGTH,
  ML_KEM_SECRET_KEY_LENGTH,
  PROTOCOL_VERSION,
  SIGNATURE_LENGTH,
} from './constants';
import type { DeviceKeys } from './device-keys';
import { CryptoError } from './errors';
import type { OneTimePreKey, PqPreKey, SignedPreKey } from './prekeys';
import { expectKind } from './wire';

const WHAT = 'device keys';
const SIGNED_SIZE = 4 + 2 * KEY_LENGTH + SIGNATURE_LENGTH;
const ONE_TIME_SIZE = 4 + 2 * KEY_LENGTH;
const PQ_SIZE = 4 + 2 + ML_KEM_PUBLIC_KEY_LENGTH + 2 + ML_KEM_SECRET_KEY_LENGTH + SIGNATURE_LENGTH;
/** Current and previous: see rotateSignedPreKeys. */
const MAX_ROTATED = 2;

export function serializeDeviceKeys(d: DeviceKeys): Uint8Array {
  const length =
    2 + 2 * KEY_LENGTH +
    1 + d.signedPreKeys.length * SIGNED_SIZE +
    1 + d.lastResortPqPreKeys.length * PQ_SIZE +
    4 + d.oneTimePreKeys.size * ONE_TIME_SIZE +
    4 + d.oneTimePqPreKeys.size * PQ_SIZE +
    4 + 2 + d.usedPreKeyIds.length * 4 + 2 + d.seenBaseKeys.length * KEY_LENGTH;
  const w = new ByteWriter(length).u8(PROTOCOL_VERSION).u8(Kind.deviceKeys);
  w.put(d.identity.secretKey).put(d.identity.publicKey);
  w.u8(d.signedPreKeys.length);
  for (const k of d.signedPreKeys) w.u32(k.id).put(k.keyPair.secretKey).put(k.keyPair.publicKey).put(k.signature);
  w.u8(d.lastResortPqPreKeys.length);
  for (const k of d.lastResortPqPreKeys) writePq(w, k);
  const oneTime = [...d.oneTimePreKeys.values()].sort((a, b) => a.id - b.id);
  w.u32(oneTime.length);
  for (const k of oneTime) w.u32(k.id).put(k.keyPair.secretKey).put(k.keyPair.publicKey);
  const oneTimePq = [...d.oneTimePqPreKeys.values()].sort((a, b) => a.id - b.id);
  w.u32(oneTimePq.length);
  for (const k of oneTimePq) writePq(w, k);
  w.u32(d.nextPreKeyId);
  w.u16(d.usedPreKeyIds.length);
  for (const id of d.usedPreKeyIds) w.u32(id);
  w.u16(d.seenBaseKeys.length);
  for (const k of d.seenBaseKeys) w.put(k);
  return w.finish();
}

export function deserializeDeviceKeys(bytes: Uint8Array): DeviceKeys {
  expectKind(bytes, Kind.deviceKeys, WHAT);
  const r = new ByteReader(bytes, WHAT);
  r.take(2, 'preamble');
  const key = (field: string): Uint8Array => r.take(KEY_LENGTH, field).slice();
  const identity = { secretKey: key('identity secret key'), publicKey: key('identity public key') };

  const signedPreKeys: SignedPreKey[] = [];
  for (let i = 0, n = count(r.u8('signed prekey count'), 1, MAX_ROTATED, 'signed prekeys'); i < n; i++) {
    const id = r.u32('signed prekey id');
    const keyPair = { secretKey: key('signed prekey secret'), publicKey: key('signed prekey public') };
    signedPreKeys.push({ id, keyPair, signature: r.take(SIGNATURE_LENGTH, 'signed prekey signature').slice() });
  }
  const lastResortPqPreKeys: PqPreKey[] = [];
  for (let i = 0, n = count(r.u8('last-resort count'), 1, MAX_ROTATED, 'last-resort PQ prekeys'); i < n; i++) {
    lastResortPqPreKeys.push(readPq(r));
  }
  const oneTimePreKeys = new Map<number, OneTimePreKey>();
  for (let i = 0, n = r.u32('one-time count'), last = -1; i < n; i++) {
    const id = last = ascending(r.u32('one-time prekey id'), last);
    oneTimePreKeys.set(id, { id, keyPair: { secretKey: key('one-time secret'), publicKey: key('one-time public') } });
  }
  const oneTimePqPreKeys = new Map<number, PqPreKey>();
  for (let i = 0, n = r.u32('one-time PQ count'), last = -1; i < n; i++) {
    const k = readPq(r);
    oneTimePqPreKeys.set(last = ascending(k.id, last), k);
  }
  const nextPreKeyId = r.u32('next prekey id');
  const usedPreKeyIds: number[] = [];
  for (let i = 0, n = count(r.u16('used id count'), 0, MAX_REMEMBERED_USED_IDS, 'used ids'); i < n; i++) {
    usedPreKeyIds.push(r.u32('used id'));
  }
  const seenBaseKeys: Uint8Array[] = [];
  for (let i = 0, n = count(r.u16('base key count'), 0, MAX_REMEMBERED_BASE_KEYS, 'base keys'); i < n; i++) {
    seenBaseKeys.push(key('seen base key'));
  }
  r.end();
  const ids = [...signedPreKeys, ...lastResortPqPreKeys, ...oneTimePreKeys.values(), ...oneTimePqPreKeys.values()].map((k) => k.id);
  if (ids.some((id) => id >= nextPreKeyId)) throw new CryptoError('malformed', `${WHAT}: prekey id not below next id`);
  return {
    identity,
    signedPreKeys,
    lastResortPqPreKeys,
    oneTimePreKeys,
    oneTimePqPreKeys,
    nextPreKeyId,
    usedPreKeyIds,
    seenBaseKeys,
  };
}

function writePq(w: ByteWriter, k: PqPreKey): void {
  w.u32(k.id).sized16(k.publicKey).sized16(k.secretKey).put(k.signature);
}

function readPq(r: ByteReader): PqPreKey {
  const id = r.u32('PQ prekey id');
  const publicKey = r.sized16(ML_KEM_PUBLIC_KEY_LENGTH, 'PQ public key').slice();
  const secretKey = r.sized16(ML_KEM_SECRET_KEY_LENGTH, 'PQ secret key').slice();
  return { id, publicKey, secretKey, signature: r.take(SIGNATURE_LENGTH, 'PQ signature').slice() };
}

function count(n: number, min: number, max: number, what: string): number {
  if (n < min || n > max) throw new CryptoError('malformed', `${WHAT}: ${n} ${what}`);
  return n;
}

/** Keys are written in ascending id order; requiring it keeps one encoding per value. */
function ascending(id: number, last: number): number {
  if (id <= last) throw new CryptoError('malformed', `${WHAT}: prekey ids out of order`);
  return id;
}
