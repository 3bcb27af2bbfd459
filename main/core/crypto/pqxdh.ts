/**
 * PQXDH key agreement (signal.org/docs/specifications/pqxdh) with X25519, SHA-256 and
 * ML-KEM-1024. Produces the session secrets; the Double Ratchet takes over from there.
 */
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { randomFrom, type Rng } from './bytes';
import { ML_KEM_CIPHERTEXT_LENGTH, ML_KEM_SECRET_KEY_LENGTH } from './constants';
import { agree, generateKeyPair } from './dh';
import { CryptoError } from './errors';
import { identityAgreementPublic, identityAgreementSecret, type IdentityKeyPair } from './identity';
import { pqxdhKdf, type SessionSecrets } from './kdf';
import { verifyBundle, type PreKeyBundle } from './prekeys';

export interface InitiatorAgreement {
  readonly secrets: SessionSecrets;
  /** EK_A, public half; the secret half is discarded here, as the spec requires. */
  readonly baseKey: Uint8Array;
  readonly kemCiphertext: Uint8Array;
}

/**
 * Alice's side. Verifies the bundle first (signatures, PQ prekey present), then
 * DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B), DH4 = DH(EK_A, OPK_B),
 * (CT, SS) = ML-KEM-1024.Encaps(PQPK_B), SK = KDF(DH1 || DH2 || DH3 [|| DH4] || SS).
 */
export function pqxdhInitiate(identity: IdentityKeyPair, bundle: PreKeyBundle, rng: Rng): InitiatorAgreement {
  verifyBundle(bundle);
  const remoteIdentity = identityAgreementPublic(bundle.identityKey);
  const base = generateKeyPair(rng);
  const dhs = [
    agree(identityAgreementSecret(identity), bundle.signedPreKey.publicKey),
    agree(base.secretKey, remoteIdentity),
    agree(base.secretKey, bundle.signedPreKey.publicKey),
  ];
  if (bundle.oneTimePreKey !== undefined) dhs.push(agree(base.secretKey, bundle.oneTimePreKey.publicKey));
  let encapsulated;
  try {
    encapsulated = ml_kem1024.encapsulate(bundle.pqPreKey.publicKey, randomFrom(rng, 32));
  } catch (cause) {
    throw new CryptoError('invalid_key', 'ML-KEM-1024 prekey is not a valid public key', { cause });
  }
  return {
    secrets: pqxdhKdf(dhs, encapsulated.sharedSecret),
    baseKey: base.publicKey,
    kemCiphertext: encapsulated.cipherText,
  };
}

export interface ResponderInputs {
  readonly identity: IdentityKeyPair;
  readonly remoteIdentity: Uint8Array;
  readonly baseKey: Uint8Array;
  readonly signedPreKeySecret: Uint8Array;
  readonly oneTimePreKeySecret: Uint8Array | undefined;
  readonly pqPreKeySecret: Uint8Array;
  readonly kemCiphertext: Uint8Array;
}

/** Bob's side: the same DHs from the other end and ML-KEM decapsulation. */
export function pqxdhRespond(input: ResponderInputs): SessionSecrets {
  const dhs = [
    agree(input.signedPreKeySecret, identityAgreementPublic(input.remoteIdentity)),
    agree(identityAgreementSecret(input.identity), input.baseKey),
    agree(input.signedPreKeySecret, input.baseKey),
  ];
  if (input.oneTimePreKeySecret !== undefined) dhs.push(agree(input.oneTimePreKeySecret, input.baseKey));
  if (input.kemCiphertext.length !== ML_KEM_CIPHERTEXT_LENGTH || input.pqPreKeySecret.length !== ML_KEM_SECRET_KEY_LENGTH) {
    throw new CryptoError('malformed', 'ML-KEM-1024 ciphertext or secret key has the wrong length');
  }
  // ML-KEM decapsulation never fails on a well-sized ciphertext (implicit rejection): a forged
  // one yields an unrelated secret, and the first message then fails to authenticate.
  let sharedSecret: Uint8Array;
  try {
    sharedSecret = ml_kem1024.decapsulate(input.kemCiphertext, input.pqPreKeySecret);
  } catch (cause) {
    throw new CryptoError('decrypt_failed', 'ML-KEM-1024 decapsulation failed', { cause });
  }
  return pqxdhKdf(dhs, sharedSecret);
}
