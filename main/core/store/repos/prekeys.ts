import { toBytes, toBytesOrNull } from '../bytes';
import type { Connection } from '../connection';
import type { PrekeyKind, PrekeyRecord } from '../types';

interface Row {
  kind: PrekeyKind;
  key_id: number;
  public_key: Uint8Array;
  private_key: Uint8Array;
  signature: Uint8Array | null;
  created_at: number;
  used_at: number | null;
}

const fromRow = (r: Row): PrekeyRecord => ({
  kind: r.kind,
  keyId: r.key_id,
  publicKey: toBytes(r.public_key),
  privateKey: toBytes(r.private_key),
  signature: toBytesOrNull(r.signature),
  createdAt: r.created_at,
  usedAt: r.used_at,
});

/** Signed, one-time and ML-KEM prekeys of this device. */
export class PrekeyRepo {
  constructor(private readonly c: Connection) {}

  put(p: PrekeyRecord): void {
    this.c.run(
      `INSERT OR REPLACE INTO prekeys (kind, key_id, public_key, private_key, signature, created_at, used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      p.kind, p.keyId, p.publicKey, p.privateKey, p.signature, p.createdAt, p.usedAt,
    );
  }

  get(kind: PrekeyKind, keyId: number): PrekeyRecord | null {
    const r = this.c.get<Row>('SELECT * FROM prekeys WHERE kind = ? AND key_id = ?', kind, keyId);
    return r ? fromRow(r) : null;
  }

  list(kind: PrekeyKind): PrekeyRecord[] {
    return this.c.all<Row>('SELECT * FROM prekeys WHERE kind = ? ORDER BY key_id', kind).map(fromRow);
  }

  countUnused(kind: PrekeyKind): number {
    return this.c.get<{ n: number }>('SELECT count(*) AS n FROM prekeys WHERE kind = ? AND used_at IS NULL', kind)?.n ?? 0;
  }

  markUsed(kind: PrekeyKind, keyId: number, now: number): void {
    this.c.run('UPDATE prekeys SET used_at = ? WHERE kind = ? AND key_id = ? AND used_at IS NULL', now, kind, keyId);
  }

  /** One-time prekeys are deleted once consumed: keeping the private half would undo forward secrecy. */
  remove(kind: PrekeyKind, keyId: number): boolean {
    return this.c.run('DELETE FROM prekeys WHERE kind = ? AND key_id = ?', kind, keyId).changes > 0;
  }
}
