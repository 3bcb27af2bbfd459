import { toBytes } from '../bytes';
import type { Connection } from '../connection';
import type { ContactRecord, DeviceRecord, TrustState } from '../types';

interface ContactRow {
  user_id: string;
  display_name: string;
  title: string | null;
  department: string | null;
  username: string | null;
  created_at: number;
  updated_at: number;
}
interface DeviceRow {
  user_id: string;
  device_id: string;
  identity_key: Uint8Array;
  trust: TrustState;
  first_seen_at: number;
  updated_at: number;
}

export type DeviceChange = 'new' | 'unchanged' | 'changed';

const contactFromRow = (r: ContactRow): ContactRecord => ({
  userId: r.user_id,
  displayName: r.display_name,
  username: r.username,
  title: r.title,
  department: r.department,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const deviceFromRow = (r: DeviceRow): DeviceRecord => ({
  userId: r.user_id,
  deviceId: r.device_id,
  identityKey: toBytes(r.identity_key),
  trust: r.trust,
  firstSeenAt: r.first_seen_at,
  updatedAt: r.updated_at,
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Contacts (directory entries) and each contact's devices with their identity keys and trust. */
export class ContactRepo {
  constructor(private readonly c: Connection) {}

  upsert(input: { userId: string; displayName: string; username?: string | null; title?: string | null; department?: string | null; now: number }): void {
    this.c.run(
      `INSERT INTO contacts (user_id, display_name, username, title, department, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name,
         username = coalesce(excluded.username, contacts.username), title = excluded.title,
         department = excluded.department, updated_at = excluded.updated_at`,
      input.userId, input.displayName, input.username ?? null, input.title ?? null, input.department ?? null, input.now, input.now,
    );
  }

  get(userId: string): ContactRecord | null {
    const r = this.c.get<ContactRow>('SELECT * FROM contacts WHERE user_id = ?', userId);
    return r ? contactFromRow(r) : null;
  }

  list(): ContactRecord[] {
    return this.c.all<ContactRow>('SELECT * FROM contacts ORDER BY display_name COLLATE NOCASE, user_id').map(contactFromRow);
  }

  remove(userId: string): boolean {
    return this.c.run('DELETE FROM contacts WHERE user_id = ?', userId).changes > 0;
  }

  /**
   * Records a device as certified by the directory. A different identity key for a known device
   * sets trust to 'changed' even if it was 'verified': a silently swapped key is exactly what a
   * compromised relay would try, so the UI must show it and the user must verify again.
   */
  recordDevice(input: { userId: string; deviceId: string; identityKey: Uint8Array; now: number }): DeviceChange {
    return this.c.tx(() => {
      const prev = this.c.get<DeviceRow>(
        'SELECT * FROM contact_devices WHERE user_id = ? AND device_id = ?', input.userId, input.deviceId,
      );
      if (!prev) {
        this.c.run(
          `INSERT INTO contact_devices (user_id, device_id, identity_key, trust, first_seen_at, updated_at)
           VALUES (?, ?, ?, 'unverified', ?, ?)`,
          input.userId, input.deviceId, input.identityKey, input.now, input.now,
        );
        return 'new';
      }
      if (sameBytes(toBytes(prev.identity_key), input.identityKey)) return 'unchanged';
      this.c.run(
        `UPDATE contact_devices SET identity_key = ?, trust = 'changed', updated_at = ?
         WHERE user_id = ? AND device_id = ?`,
        input.identityKey, input.now, input.userId, input.deviceId,
      );
      return 'changed';
    });
  }

  devices(userId: string): DeviceRecord[] {
    return this.c.all<DeviceRow>('SELECT * FROM contact_devices WHERE user_id = ? ORDER BY device_id', userId).map(deviceFromRow);
  }

  device(userId: string, deviceId: string): DeviceRecord | null {
    const r = this.c.get<DeviceRow>('SELECT * FROM contact_devices WHERE user_id = ? AND device_id = ?', userId, deviceId);
    return r ? deviceFromRow(r) : null;
  }

  setTrust(userId: string, deviceId: string, trust: TrustState, now: number): boolean {
    return this.c.run(
      'UPDATE contact_devices SET trust = ?, updated_at = ? WHERE user_id = ? AND device_id = ?',
      trust, now, userId, deviceId,
    ).changes > 0;
  }

  removeDevice(userId: string, deviceId: string): boolean {
    return this.c.run('DELETE FROM contact_devices WHERE user_id = ? AND device_id = ?', userId, deviceId).changes > 0;
  }
}
