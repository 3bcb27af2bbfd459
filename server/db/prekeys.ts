/**
 * Prekeys, opaque to the relay. A bundle fetch consumes one-time prekeys with DELETE ... RETURNING
 * in a single statement each, so two fetchers can never be handed the same one-time key (a reused
 * one-time key would weaken the forward secrecy of both sessions).
 */
import type { Db } from './database';

export interface StoredPrekey {
  id: number;
  publicKey: Buffer;
  signature: Buffer | null;
}

export interface PrekeyInput {
  id: number;
  publicKey: Buffer;
  signature?: Buffer | undefined;
}

export interface ConsumedBundle {
  signedPrekey: StoredPrekey;
  oneTimePrekey: StoredPrekey | null;
  pqPrekey: StoredPrekey;
  pqPrekeyIsLastResort: boolean;
}

type SignedKind = 'ec' | 'pq_last_resort';
type OneTimeKind = 'ec' | 'pq';

export class PrekeyRepository {
  private readonly signedStmt;
  private readonly takeStmt;
  private readonly countStmt;

  constructor(private readonly db: Db) {
    this.signedStmt = db.prepare(
      'SELECT key_id AS id, public_key AS publicKey, signature FROM signed_prekeys WHERE device_id = ? AND kind = ?',
    );
    this.takeStmt = db.prepare(
      `DELETE FROM one_time_prekeys WHERE (device_id, kind, key_id) =
         (SELECT device_id, kind, key_id FROM one_time_prekeys WHERE device_id = ? AND kind = ? ORDER BY key_id LIMIT 1)
       RETURNING key_id AS id, public_key AS publicKey, signature`,
    );
    this.countStmt = db.prepare(
      `SELECT coalesce(sum(kind = 'ec'), 0) AS ec, coalesce(sum(kind = 'pq'), 0) AS pq FROM one_time_prekeys WHERE device_id = ?`,
    );
  }

  setSigned(deviceId: string, kind: SignedKind, key: PrekeyInput, now: number): void {
    this.db
      .prepare(
        `INSERT INTO signed_prekeys (device_id, kind, key_id, public_key, signature, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, kind) DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key,
           signature = excluded.signature, updated_at = excluded.updated_at`,
      )
      .run(deviceId, kind, key.id, key.publicKey, key.signature ?? Buffer.alloc(0), now);
  }

  /** Adds one-time prekeys; an id already stored is ignored, so a retried upload is harmless. */
  addOneTime(deviceId: string, kind: OneTimeKind, keys: PrekeyInput[]): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO one_time_prekeys (device_id, kind, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?)',
    );
    for (const key of keys) insert.run(deviceId, kind, key.id, key.publicKey, key.signature ?? null);
  }

  counts(deviceId: string): { ec: number; pq: number } {
    return this.countStmt.get(deviceId) as { ec: number; pq: number };
  }

  /** Runs inside a transaction opened by the caller; undefined if the device has no signed keys. */
  consumeBundle(deviceId: string): ConsumedBundle | undefined {
    const signedPrekey = this.signedStmt.get(deviceId, 'ec') as StoredPrekey | undefined;
    const lastResort = this.signedStmt.get(deviceId, 'pq_last_resort') as StoredPrekey | undefined;
    if (!signedPrekey || !lastResort) return undefined;
    const oneTimePrekey = (this.takeStmt.get(deviceId, 'ec') as StoredPrekey | undefined) ?? null;
    const pqOneTime = this.takeStmt.get(deviceId, 'pq') as StoredPrekey | undefined;
    return {
      signedPrekey,
      oneTimePrekey,
      pqPrekey: pqOneTime ?? lastResort,
      pqPrekeyIsLastResort: pqOneTime === undefined,
    };
  }
}
