import { readFileSync } from 'node:fs';
import { bytesToHex as toHex, hexToBytes, utf8ToBytes as utf8 } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { agree } from '../../../main/core/crypto/dh';
import { chainStep, expandMessageKeySeed } from '../../../main/core/crypto/kdf';

interface Vectors {
  x25519_agreement: Record<'alice_private' | 'alice_public' | 'bob_private' | 'bob_public' | 'shared', string>;
  chain_key_derivation: Record<'seed' | 'cipher_key' | 'mac_key' | 'next_chain_key', string>;
}

const vectors = JSON.parse(
  readFileSync(new URL('./vectors/libsignal-kdf.json', import.meta.url), 'utf8'),
) as Vectors;

describe("libsignal's published KDF values", () => {
  it('chain step and message key expansion reproduce test_chain_key_derivation', () => {
    const v = vectors.chain_key_derivation;
    const { messageKeySeed, nextChainKey } = chainStep(hexToBytes(v.seed));
    const keys = expandMessageKeySeed(messageKeySeed, utf8('WhisperMessageKeys'), 80);
    expect(toHex(keys.subarray(0, 32))).toBe(v.cipher_key);
    expect(toHex(keys.subarray(32, 64))).toBe(v.mac_key);
    expect(keys.subarray(64, 80)).toHaveLength(16);
    expect(toHex(nextChainKey)).toBe(v.next_chain_key);
  });

  it('X25519 agreement reproduces test_agreement in both directions', () => {
    const v = vectors.x25519_agreement;
    expect(toHex(agree(hexToBytes(v.alice_private), hexToBytes(v.bob_public)))).toBe(v.shared);
    expect(toHex(agree(hexToBytes(v.bob_private), hexToBytes(v.alice_public)))).toBe(v.shared);
  });
});
