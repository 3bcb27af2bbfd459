import type { Rng } from '../crypto';
import type { RelayClient } from '../net/relay-client';
import type { Store } from '../store';
import type { Account } from './account';

export type Log = (event: string, fields?: Record<string, unknown>) => void;

/** What every part of the engine is built from: one profile's store, relay connection and identity. */
export interface EngineParts {
  store: Store;
  relay: RelayClient;
  account: Account;
  rng: Rng;
  now: () => number;
  log: Log;
}
