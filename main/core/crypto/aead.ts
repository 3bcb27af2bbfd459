/**
 * Message encryption: XChaCha20-Poly1305 under a key and nonce derived from the message key
 * seed. Chosen over AES-256-GCM by measurement (noble, this hardware: 1 KiB seal ~28 us vs
 * ~77 us; 64 KiB ~0.57 ms vs ~2.2 ms) and because it has no table lookups to leak timing in
 * pure JavaScript. Each key seals exactly one message, so the derived nonce never repeats.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { CryptoError } from './errors';
import { messageKeys } from './kdf';

/** AD = sender identity key || receiver identity key || encoded header. */
export function associatedData(sender: Uint8Array, receiver: Uint8Array, header: Uint8Array): Uint8Array {
  return concatBytes(sender, receiver, header);
}

export function seal(messageKeySeed: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { key, nonce } = messageKeys(messageKeySeed);
  return xchacha20poly1305(key, nonce, ad).encrypt(plaintext);
}

export function open(messageKeySeed: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { key, nonce } = messageKeys(messageKeySeed);
  try {
    return xchacha20poly1305(key, nonce, ad).decrypt(ciphertext);
  } catch (cause) {
    throw new CryptoError('decrypt_failed', 'message authentication failed', { cause });
  }
}
