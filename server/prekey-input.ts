/** Wire prekeys (base64) to the repository's byte form. */
import type { OneTimePrekey } from '../protocol/relay';
import type { PrekeyInput, StoredPrekey } from './db/prekeys';

export function prekeyInput(key: OneTimePrekey): PrekeyInput {
  return {
    id: key.id,
    publicKey: Buffer.from(key.publicKey, 'base64'),
    signature: key.signature === undefined ? undefined : Buffer.from(key.signature, 'base64'),
  };
}

export function prekeyOutput(key: StoredPrekey): { id: number; publicKey: string; signature: string } {
  return { id: key.id, publicKey: key.publicKey.toString('base64'), signature: (key.signature ?? Buffer.alloc(0)).toString('base64') };
}

export function oneTimePrekeyOutput(key: StoredPrekey): OneTimePrekey {
  return key.signature === null
    ? { id: key.id, publicKey: key.publicKey.toString('base64') }
    : { id: key.id, publicKey: key.publicKey.toString('base64'), signature: key.signature.toString('base64') };
}
