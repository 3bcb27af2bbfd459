import { StoreError } from '../errors';
import type { StoreErrorCode } from '../errors';
import type { RepositoryName } from '../store';

/** Messages between the main thread and the store worker. Internal to the store folder. */
export type WorkerRequest =
  | { type: 'open'; id: number; path: string; key: Uint8Array; create: boolean }
  | { type: 'call'; id: number; target: RepositoryName | null; method: string; args: unknown[] }
  | { type: 'close'; id: number };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  code: string | null;
  message: string;
}

/** Store-level methods callable through the worker; repositories are listed in REPOSITORIES. */
export const STORE_METHODS = ['storeReceived', 'integrityCheck', 'schemaVersion'] as const;

export function serializeError(e: unknown): SerializedError {
  if (e instanceof StoreError) return { name: e.name, code: e.code, message: e.message };
  if (e instanceof Error) return { name: e.name, code: (e as { code?: string }).code ?? null, message: e.message };
  return { name: 'Error', code: null, message: String(e) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.name === 'StoreError' && s.code) return new StoreError(s.code as StoreErrorCode, s.message);
  const e = new Error(s.message) as Error & { code?: string };
  e.name = s.name;
  if (s.code) e.code = s.code;
  return e;
}
