import { randomBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AttachmentDecryptor,
  encryptAttachment,
  encryptedAttachmentSize,
} from '../../../main/core/crypto/attachment-stream';
import { CryptoError } from '../../../main/core/crypto/errors';

function seal(plaintext: Uint8Array, chunk: number, key = randomBytes(32)) {
  const parts = [...encryptAttachment(key, plaintext, randomBytes, chunk)];
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    total.set(p, at);
    at += p.length;
  }
  return { key, cipher: total };
}

/** Feeds the ciphertext in pieces of the given sizes, as a download would. */
function open(key: Uint8Array, cipher: Uint8Array, pieces: number[] = [cipher.length]): Uint8Array {
  const d = new AttachmentDecryptor(key);
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < cipher.length) {
    const n = Math.max(1, pieces[i++ % pieces.length]!);
    out.push(...d.push(cipher.subarray(at, at + n)));
    at += n;
  }
  out.push(d.end());
  return Uint8Array.from(out.flatMap((c) => [...c]));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : `not a CryptoError: ${String(err)}`;
  }
  return undefined;
}

describe('attachment stream encryption', () => {
  it('round-trips any file cut into any pieces, and the size is known in advance', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }), (plain, chunk, pieces) => {
        const { key, cipher } = seal(plain, chunk);
        expect(cipher.length).toBe(encryptedAttachmentSize(plain.length, chunk));
        expect(open(key, cipher, pieces)).toEqual(plain);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a flipped byte anywhere', () => {
    const { key, cipher } = seal(randomBytes(1000), 256);
    for (let i = 5; i < cipher.length; i += 37) {
      const bad = cipher.slice();
      bad[i]! ^= 1;
      expect(codeOf(() => open(key, bad))).toMatch(/decrypt_failed|malformed/);
    }
  });

  it('rejects truncation at a chunk boundary, an extension, reordered chunks and the wrong key', () => {
    const { key, cipher } = seal(randomBytes(1024), 256);
    const header = 21;
    const full = 256 + 16;
    expect(codeOf(() => open(key, cipher.slice(0, header + 2 * full)))).toBe('decrypt_failed');
    const extended = new Uint8Array([...cipher, ...cipher.slice(header, header + full)]);
    expect(codeOf(() => open(key, extended))).toBe('decrypt_failed');
    const swapped = cipher.slice();
    swapped.set(cipher.subarray(header, header + full), header + full);
    swapped.set(cipher.subarray(header + full, header + 2 * full), header);
    expect(codeOf(() => open(key, swapped))).toBe('decrypt_failed');
    expect(codeOf(() => open(randomBytes(32), cipher))).toBe('decrypt_failed');
  });

  it('answers garbage and short input with typed errors', () => {
    expect(codeOf(() => open(randomBytes(32), new Uint8Array(3)))).toBe('malformed');
    expect(codeOf(() => open(randomBytes(32), randomBytes(100)))).toMatch(/unsupported_version|malformed/);
    expect(codeOf(() => new AttachmentDecryptor(new Uint8Array(31)))).toBe('invalid_key');
  });
});
