/**
 * Prekeys and the prekey bundle: signed X25519 prekeys, one-time X25519 prekeys and ML-KEM-1024
 * prekeys (one-time or last-resort), each signed prekey signed by the identity key.
 */
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { ByteWriter, expectBytes, randomFrom, type Rng } from './bytes';
import { Info, KEY_LENGTH, ML_KEM_PUBLIC_KEY_LENGTH } from './constants';
import { generateKeyPair, type KeyPair } from './dh';
import { CryptoError } from './errors';
import { assertIdentityKey, sign, verify, type IdentityKeyPair } from './identity';

export interface SignedPreKey {
  readonly id: number;
  readonly keyPair: KeyPair;
  readonly signature: Uint8Array;
}

export interface OneTimePreKey {
  readonly id: number;
  readonly keyPair: KeyPair;
}

export interface PqPreKey {
  readonly id: number;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** What a peer fetches to start a session: public halves only. */
export interface PreKeyBundle {
  readonly identityKey: Uint8Array;
  readonly signedPreKey: { readonly id: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  readonly oneTimePreKey?: { readonly id: number; readonly publicKey: Uint8Array } | undefined;
  readonly pqPreKey: { readonly id: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
}

/**
 * Signed bytes: a label naming the key's role and algorithm, the key id, the key. The label
 * keeps a signature over one kind of key from being presented as a signature over another,
 * and the id binds the key to the handle the initial message will use.
 */
export function signedPreKeyPayload(id: number, publicKey: Uint8Array): Uint8Array {
  return labelledKey(Info.signedPreKey, id, publicKey);
}

export function pqPreKeyPayload(id: number, publicKey: Uint8Array): Uint8Array {
  return labelledKey(Info.pqPreKey, id, publicKey);
}

export function generateSignedPreKey(identity: IdentityKeyPair, id: number, rng: Rng): SignedPreKey {
  assertId(id);
  const keyPair = generateKeyPair(rng);
  return { id, keyPair, signature: sign(identity, signedPreKeyPayload(id, keyPair.publicKey)) };
}

export function generateOneTimePreKey(id: number, rng: Rng): OneTimePreKey {
  assertId(id);
  return { id, keyPair: generateKeyPair(rng) };
}

export function generatePqPreKey(identity: IdentityKeyPair, id: number, rng: Rng): PqPreKey {
  assertId(id);
  const { publicKey, secretKey } = ml_kem1024.keygen(randomFrom(rng, 64));
  return { id, publicKey, secretKey, signature: sign(identity, pqPreKeyPayload(id, publicKey)) };
}

/**
 * Checks everything PQXDH needs from a bundle before any secret is computed: a valid identity
 * key, both signatures (strict Ed25519), and a PQ prekey. A bundle without a PQ prekey is
 * refused rather than falling back to classical X3DH, so the relay cannot downgrade a session.
 */
export function verifyBundle(bundle: PreKeyBundle): void {
  assertIdentityKey(bundle.identityKey, 'bundle identity key');
  const spk = bundle.signedPreKey;
  expectBytes(spk.publicKey, KEY_LENGTH, 'signed prekey');
  if (!verify(bundle.identityKey, signedPreKeyPayload(spk.id, spk.publicKey), spk.signature)) {
    throw new CryptoError('bad_signature', 'signed prekey signature does not verify');
  }
  if (bundle.oneTimePreKey !== undefined) expectBytes(bundle.oneTimePreKey.publicKey, KEY_LENGTH, 'one-time prekey');
  const pq = bundle.pqPreKey as PreKeyBundle['pqPreKey'] | undefined;
  if (pq === undefined || pq === null) throw new CryptoError('no_pq_prekey', 'bundle has no post-quantum prekey');
  expectBytes(pq.publicKey, ML_KEM_PUBLIC_KEY_LENGTH, 'ML-KEM-1024 prekey');
  if (!verify(bundle.identityKey, pqPreKeyPayload(pq.id, pq.publicKey), pq.signature)) {
    throw new CryptoError('bad_signature', 'PQ prekey signature does not verify');
  }
}

export function assertId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
    throw new CryptoError('invalid_argument', `prekey id must be a u32, got ${id}`);
  }
}

function labelledKey(label: Uint8Array, id: number, publicKey: Uint8Array): Uint8Array {
  assertId(id);
  return new ByteWriter(label.length + 4 + publicKey.length).put(label).u32(id).put(publicKey).finish();
}
