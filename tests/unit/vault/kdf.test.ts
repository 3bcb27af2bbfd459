import { describe, expect, it } from 'vitest';
import { argon2idInThread, argon2idInWorker, DEFAULT_KDF_PARAMS } from '../../../main/core/vault';
import { pinBytes } from '../../../main/core/vault/kdf';

const salt = new Uint8Array(16).fill(7);

describe('Argon2id', () => {
  it('derives the same 32 bytes in a worker thread as on the calling thread', async () => {
    const here = await argon2idInThread(pinBytes('123456'), salt, DEFAULT_KDF_PARAMS);
    const there = await argon2idInWorker()(pinBytes('123456'), salt, DEFAULT_KDF_PARAMS);
    expect(there).toEqual(here);
    expect(here).toHaveLength(32);
    const other = await argon2idInThread(pinBytes('123457'), salt, DEFAULT_KDF_PARAMS);
    expect(other).not.toEqual(here);
  }, 30_000);

  it('refuses parameters under the floor, on either path', async () => {
    const weak = { ...DEFAULT_KDF_PARAMS, memoryKiB: 1024 };
    await expect(argon2idInThread(pinBytes('1'), salt, weak)).rejects.toMatchObject({ code: 'kdf_too_weak' });
    await expect(argon2idInWorker()(pinBytes('1'), salt, { ...DEFAULT_KDF_PARAMS, iterations: 1 })).rejects.toMatchObject({ code: 'kdf_too_weak' });
  });

  it('treats the same PIN typed with full-width digits as the same PIN', () => {
    expect(pinBytes('１２３４')).toEqual(pinBytes('1234'));
  });
});
