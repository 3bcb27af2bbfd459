/**
 * Sender-key states <-> bytes for the store (v1, kinds 0x12 and 0x13). As with the session
 * record, the decoder enforces every bound and ordering the chain code relies on, so a damaged
 * record is `malformed` rather than a state that misbehaves later; curve points are not
 * re-validated (they were on entry, and the store is authenticated).
 */
import { ByteWriter } from './bytes';
import { KEY_LENGTH, MAX_SKIPPED_PER_CHAIN } from './constants';
import { CryptoError } from './errors';
import {
  GROUP_ID_LENGTH,
  MAX_SENDER_KEY_ITERATION,
  readChainFields,
  SenderKeyKind,
  writeChainFields,
  type SenderKeyReceiverState,
  type SenderKeyState,
} from './sender-keys';

const COMMON = 2 + GROUP_ID_LENGTH + 4 + 4 + 4 + KEY_LENGTH;

export function serializeSenderKey(state: SenderKeyState): Uint8Array {
  return writeChainFields(new ByteWriter(COMMON + 2 * KEY_LENGTH), SenderKeyKind.senderRecord, state)
    .put(state.signingKey.secretKey)
    .put(state.signingKey.publicKey)
    .finish();
}

export function deserializeSenderKey(bytes: Uint8Array): SenderKeyState {
  const what = 'sender key record';
  const { r, groupId, epoch, chainId, iteration, chainKey } = readChainFields(bytes, SenderKeyKind.senderRecord, what);
  const secretKey = r.take(KEY_LENGTH, 'signing secret key').slice();
  const publicKey = r.take(KEY_LENGTH, 'signing public key').slice();
  r.end();
  // One past the last sendable iteration is a valid (exhausted) state.
  if (iteration > MAX_SENDER_KEY_ITERATION + 1) throw new CryptoError('malformed', `${what}: iteration out of range`);
  return { groupId, epoch, chainId, iteration, chainKey, signingKey: { secretKey, publicKey } };
}

export function serializeSenderKeyReceiver(state: SenderKeyReceiverState): Uint8Array {
  const length = COMMON + KEY_LENGTH + 2 + state.skipped.size * (4 + KEY_LENGTH);
  const w = writeChainFields(new ByteWriter(length), SenderKeyKind.receiverRecord, state).put(state.signingPublicKey);
  w.u16(state.skipped.size);
  for (const [iteration, seed] of state.skipped) w.u32(iteration).put(seed);
  return w.finish();
}

export function deserializeSenderKeyReceiver(bytes: Uint8Array): SenderKeyReceiverState {
  const what = 'sender key receiver record';
  const { r, groupId, epoch, chainId, iteration, chainKey } = readChainFields(bytes, SenderKeyKind.receiverRecord, what);
  const signingPublicKey = r.take(KEY_LENGTH, 'signing public key').slice();
  const count = r.u16('skipped key count');
  if (count > MAX_SKIPPED_PER_CHAIN) throw new CryptoError('malformed', `${what}: ${count} skipped keys`);
  const skipped = new Map<number, Uint8Array>();
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const counter = r.u32('skipped iteration');
    // Strictly ascending and below the next iteration: the order eviction relies on.
    if (counter <= previous || counter >= iteration) throw new CryptoError('malformed', `${what}: skipped keys out of order`);
    previous = counter;
    skipped.set(counter, r.take(KEY_LENGTH, 'skipped key').slice());
  }
  r.end();
  return { groupId, epoch, chainId, signingPublicKey, iteration, chainKey, skipped };
}
