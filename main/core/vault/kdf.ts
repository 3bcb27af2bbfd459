import { argon2id } from 'hash-wasm';
import { VaultError } from './errors';

/** Argon2id parameters, recorded in profile.json so a later policy can raise them per profile. */
export interface KdfParams {
  algorithm: 'argon2id';
  /** Argon2 version 0x13. */
  version: 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * RFC 9106's second recommended setting (64 MiB, t=3), with one lane because hash-wasm computes
 * lanes one after another anyway. Measured with hash-wasm on a 2-core clinic machine: ~0.41 s,
 * leaving room under the one-second unlock budget; noble's pure-JS argon2 took ~1.05 s.
 */
export const DEFAULT_KDF_PARAMS: KdfParams = { algorithm: 'argon2id', version: 19, memoryKiB: 65536, iterations: 3, parallelism: 1 };

/** Floor enforced everywhere, tests included: 64 MiB makes each PIN guess cost memory, not just time. */
export const MIN_KDF_MEMORY_KIB = 65536;
export const MIN_KDF_ITERATIONS = 2;
const MAX_KDF_MEMORY_KIB = 4 * 1024 * 1024;

export const KDF_OUTPUT_BYTES = 32;
export const KDF_SALT_BYTES = 16;

/** Computes Argon2id(pin, salt); the caller combines it with the device secret (see key-wrap). */
export type Argon2idFn = (password: Uint8Array, salt: Uint8Array, params: KdfParams) => Promise<Uint8Array>;

export function assertKdfParams(p: KdfParams): void {
  const ok = p.algorithm === 'argon2id' && p.version === 19
    && Number.isInteger(p.memoryKiB) && p.memoryKiB >= MIN_KDF_MEMORY_KIB && p.memoryKiB <= MAX_KDF_MEMORY_KIB
    && Number.isInteger(p.iterations) && p.iterations >= MIN_KDF_ITERATIONS && p.iterations <= 64
    && Number.isInteger(p.parallelism) && p.parallelism >= 1 && p.parallelism <= 16;
  if (!ok) {
    throw new VaultError('kdf_too_weak', `Argon2id needs at least ${MIN_KDF_MEMORY_KIB} KiB and ${MIN_KDF_ITERATIONS} iterations`);
  }
}

/** True when `wanted` costs more than `current` in memory or time (policy raised the parameters). */
export function isStronger(wanted: KdfParams, current: KdfParams): boolean {
  return wanted.memoryKiB > current.memoryKiB || wanted.iterations > current.iterations || wanted.parallelism > current.parallelism;
}

/**
 * Argon2id on the calling thread (hash-wasm, WebAssembly). Blocks the event loop for the whole
 * derivation; the app uses argon2idInWorker instead.
 */
export const argon2idInThread: Argon2idFn = async (password, salt, params) => {
  assertKdfParams(params);
  return argon2id({
    password,
    salt,
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memoryKiB,
    hashLength: KDF_OUTPUT_BYTES,
    outputType: 'binary',
  });
};

/** PINs are compared as typed: NFKC so the same digits from any keyboard layout give the same bytes. */
export function pinBytes(pin: string): Uint8Array {
  return new TextEncoder().encode(pin.normalize('NFKC'));
}
