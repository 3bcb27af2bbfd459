/**
 * Session <-> bytes for the store (v1, kind 0x04). The decoder enforces every invariant the
 * ratchet relies on (bounds, ordering, lengths), so a damaged record is a `malformed` error
 * rather than a session that misbehaves later. Curve points are not re-validated here: they
 * were validated when they entered the session, and the store is authenticated.
 */
import { ByteReader, ByteWriter } from './bytes';
import type { ReceivingChain } from './chains';
import {
  KEY_LENGTH,
  Kind,
  MAX_RECEIVING_CHAINS,
  MAX_SKIPPED_PER_CHAIN,
  ML_KEM_CIPHERTEXT_LENGTH,
  PROTOCOL_VERSION,
} from './constants';
import { CryptoError } from './errors';
import type { RatchetState, SendingChain } from './ratchet';
import type { PendingPreKey, Session } from './session';
import { expectKind } from './wire';

const WHAT = 'session record';
const FIXED = 2 + 3 * KEY_LENGTH + 3 * KEY_LENGTH + 2 * KEY_LENGTH + 1 + 1 + 4 + 1 + 1;

export function serializeSession(session: Session): Uint8Array {
  const r = session.ratchet;
  let length = FIXED + (r.remoteRatchetKey ? KEY_LENGTH : 0) + (r.sending ? KEY_LENGTH + 4 : 0);
  const p = session.pendingPreKey;
  if (p) length += 4 + 1 + (p.oneTimePreKeyId !== undefined ? 4 : 0) + 4 + 2 + p.kemCiphertext.length;
  for (const chain of r.receiving) length += 2 * KEY_LENGTH + 4 + 2 + chain.skipped.size * (4 + KEY_LENGTH);

  const w = new ByteWriter(length).u8(PROTOCOL_VERSION).u8(Kind.session);
  w.put(session.localIdentity).put(session.remoteIdentity).put(session.baseKey);
  w.put(r.rootKey).put(r.sendHeaderKey).put(r.receiveHeaderKey);
  w.put(r.ratchetKeyPair.secretKey).put(r.ratchetKeyPair.publicKey);
  w.u8(r.remoteRatchetKey ? 1 : 0);
  if (r.remoteRatchetKey) w.put(r.remoteRatchetKey);
  w.u8(r.sending ? 1 : 0);
  if (r.sending) w.put(r.sending.chainKey).u32(r.sending.index);
  w.u32(r.previousSendingLength);
  w.u8(p ? 1 : 0);
  if (p) {
    w.u32(p.signedPreKeyId).u8(p.oneTimePreKeyId !== undefined ? 1 : 0);
    if (p.oneTimePreKeyId !== undefined) w.u32(p.oneTimePreKeyId);
    w.u32(p.pqPreKeyId).sized16(p.kemCiphertext);
  }
  w.u8(r.receiving.length);
  for (const chain of r.receiving) {
    w.put(chain.ratchetKey).put(chain.chainKey).u32(chain.index).u16(chain.skipped.size);
    for (const [counter, seed] of chain.skipped) w.u32(counter).put(seed);
  }
  return w.finish();
}

export function deserializeSession(bytes: Uint8Array): Session {
  expectKind(bytes, Kind.session, WHAT);
  const r = new ByteReader(bytes, WHAT);
  r.take(2, 'preamble');
  const key = (field: string): Uint8Array => r.take(KEY_LENGTH, field).slice();
  const localIdentity = key('local identity');
  const remoteIdentity = key('remote identity');
  const baseKey = key('base key');
  const rootKey = key('root key');
  const sendHeaderKey = key('send header key');
  const receiveHeaderKey = key('receive header key');
  const ratchetKeyPair = { secretKey: key('ratchet secret key'), publicKey: key('ratchet public key') };
  const remoteRatchetKey = r.flag('remote ratchet flag') ? key('remote ratchet key') : null;
  const sending: SendingChain | null = r.flag('sending flag') ? { chainKey: key('sending chain key'), index: r.u32('sending index') } : null;
  const previousSendingLength = r.u32('previous sending length');
  const pendingPreKey = r.flag('pending prekey flag') ? readPending(r) : null;
  const chainCount = r.u8('receiving chain count');
  if (chainCount > MAX_RECEIVING_CHAINS) throw new CryptoError('malformed', `${WHAT}: ${chainCount} receiving chains`);
  const receiving: ReceivingChain[] = [];
  for (let i = 0; i < chainCount; i++) receiving.push(readChain(r, key));
  r.end();
  if (remoteRatchetKey === null && (receiving.length > 0 || sending !== null)) {
    throw new CryptoError('malformed', `${WHAT}: chains without a remote ratchet key`);
  }
  const ratchet: RatchetState = {
    rootKey,
    sendHeaderKey,
    receiveHeaderKey,
    ratchetKeyPair,
    remoteRatchetKey,
    sending,
    previousSendingLength,
    receiving,
  };
  return { localIdentity, remoteIdentity, baseKey, ratchet, pendingPreKey };
}

function readPending(r: ByteReader): PendingPreKey {
  const signedPreKeyId = r.u32('pending signed prekey id');
  const oneTimePreKeyId = r.flag('pending one-time flag') ? r.u32('pending one-time prekey id') : undefined;
  const pqPreKeyId = r.u32('pending PQ prekey id');
  const kemCiphertext = r.sized16(ML_KEM_CIPHERTEXT_LENGTH, 'pending KEM ciphertext').slice();
  return { signedPreKeyId, oneTimePreKeyId, pqPreKeyId, kemCiphertext };
}

function readChain(r: ByteReader, key: (field: string) => Uint8Array): ReceivingChain {
  const ratchetKey = key('chain ratchet key');
  const chainKey = key('chain key');
  const index = r.u32('chain index');
  const count = r.u16('skipped key count');
  if (count > MAX_SKIPPED_PER_CHAIN) throw new CryptoError('malformed', `${WHAT}: ${count} skipped keys in one chain`);
  const skipped = new Map<number, Uint8Array>();
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const counter = r.u32('skipped counter');
    // Strictly ascending and below the index: the order eviction relies on, one encoding each.
    if (counter <= previous || counter >= index) throw new CryptoError('malformed', `${WHAT}: skipped keys out of order`);
    previous = counter;
    skipped.set(counter, key('skipped key'));
  }
  return { ratchetKey, chainKey, index, skipped };
}
