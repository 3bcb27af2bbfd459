/**
 * Enrolled devices, their revocation, and the admin-event log through which the CLI tells a
 * running relay to drop live sockets (see admin-watch.ts).
 */
import type { Db } from './database';

export interface DeviceRow {
  id: string;
  userId: string;
  identityKey: Buffer;
  certificate: Buffer;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

/** A device that may authenticate and receive: not revoked, and its user not disabled. */
export interface ActiveDevice {
  id: string;
  userId: string;
  identityKey: Buffer;
  certificate: Buffer;
}

export type DeviceStatus = 'active' | 'revoked' | 'user_disabled' | 'unknown';

export interface AdminEvent {
  seq: number;
  kind: 'device_revoked' | 'user_disabled';
  target: string;
}

export class DeviceRepository {
  private readonly statusStmt;
  private readonly touchStmt;

  constructor(private readonly db: Db) {
    this.statusStmt = db.prepare(
      `SELECT d.id, d.user_id AS userId, d.identity_key AS identityKey, d.certificate, d.revoked_at AS revokedAt,
              u.disabled_at AS disabledAt
       FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
    );
    this.touchStmt = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?');
  }

  insert(device: Omit<DeviceRow, 'lastSeenAt' | 'revokedAt'>): void {
    this.db
      .prepare('INSERT INTO devices (id, user_id, identity_key, certificate, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(device.id, device.userId, device.identityKey, device.certificate, device.createdAt);
  }

  identityKeyInUse(identityKey: Buffer): boolean {
    return this.db.prepare('SELECT 1 FROM devices WHERE identity_key = ?').get(identityKey) !== undefined;
  }

  /** One query answers both "does it exist" and "may it be used now". */
  status(deviceId: string): { status: DeviceStatus; device?: ActiveDevice; former?: ActiveDevice } {
    const row = this.statusStmt.get(deviceId) as
      | (ActiveDevice & { revokedAt: number | null; disabledAt: number | null })
      | undefined;
    if (!row) return { status: 'unknown' };
    const device = { id: row.id, userId: row.userId, identityKey: row.identityKey, certificate: row.certificate };
    // `former`: a revoked or disabled device's keys, only so it can be sent its wipe order after it proves itself.
    if (row.revokedAt !== null) return { status: 'revoked', former: device };
    if (row.disabledAt !== null) return { status: 'user_disabled', former: device };
    return { status: 'active', device };
  }

  activeForUser(userId: string): ActiveDevice[] {
    return this.db
      .prepare(
        `SELECT d.id, d.user_id AS userId, d.identity_key AS identityKey, d.certificate
         FROM devices d JOIN users u ON u.id = d.user_id
         WHERE d.user_id = ? AND d.revoked_at IS NULL AND u.disabled_at IS NULL ORDER BY d.created_at`,
      )
      .all(userId) as ActiveDevice[];
  }

  allForUser(userId: string): DeviceRow[] {
    return this.db
      .prepare(
        `SELECT id, user_id AS userId, identity_key AS identityKey, certificate, created_at AS createdAt,
                last_seen_at AS lastSeenAt, revoked_at AS revokedAt
         FROM devices WHERE user_id = ? ORDER BY created_at`,
      )
      .all(userId) as DeviceRow[];
  }

  byId(deviceId: string): DeviceRow | undefined {
    return this.db
      .prepare(
        `SELECT id, user_id AS userId, identity_key AS identityKey, certificate, created_at AS createdAt,
                last_seen_at AS lastSeenAt, revoked_at AS revokedAt FROM devices WHERE id = ?`,
      )
      .get(deviceId) as DeviceRow | undefined;
  }

  touch(deviceId: string, now: number): void {
    this.touchStmt.run(now, deviceId);
  }

  /**
   * Revokes a device and erases what it can no longer use: its queue, its prekeys (no one may
   * start a session with it) and its claim on attachments. One transaction, run by the CLI.
   */
  revoke(deviceId: string, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, deviceId).changes;
      if (changed === 0) return false;
      this.db.prepare('DELETE FROM envelopes WHERE recipient_device_id = ? AND payload IS NOT NULL').run(deviceId);
      this.db.prepare('DELETE FROM one_time_prekeys WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM signed_prekeys WHERE device_id = ?').run(deviceId);
      this.db.prepare('DELETE FROM attachment_recipients WHERE device_id = ?').run(deviceId);
      this.appendAdminEvent('device_revoked', deviceId, now);
      return true;
    }).immediate();
  }

  appendAdminEvent(kind: AdminEvent['kind'], target: string, now: number): void {
    this.db.prepare('INSERT INTO admin_events (kind, target, at) VALUES (?, ?, ?)').run(kind, target, now);
  }

  lastAdminEventSeq(): number {
    const row = this.db.prepare('SELECT max(seq) AS seq FROM admin_events').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  adminEventsAfter(seq: number): AdminEvent[] {
    return this.db.prepare('SELECT seq, kind, target FROM admin_events WHERE seq > ? ORDER BY seq').all(seq) as AdminEvent[];
  }
}
