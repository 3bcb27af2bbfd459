import { toBytes } from '../bytes';
import type { Connection } from '../connection';

/** Double Ratchet session state per remote device, as opaque bytes owned by the crypto layer. */
export class SessionRepo {
  constructor(private readonly c: Connection) {}

  get(userId: string, deviceId: string): Uint8Array | null {
    const r = this.c.get<{ record: Uint8Array }>('SELECT record FROM sessions WHERE user_id = ? AND device_id = ?', userId, deviceId);
    return r ? toBytes(r.record) : null;
  }

  put(userId: string, deviceId: string, record: Uint8Array, now: number): void {
    this.c.run(
      `INSERT INTO sessions (user_id, device_id, record, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, device_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      userId, deviceId, record, now,
    );
  }

  devices(userId: string): string[] {
    return this.c.all<{ device_id: string }>('SELECT device_id FROM sessions WHERE user_id = ? ORDER BY device_id', userId).map((r) => r.device_id);
  }

  remove(userId: string, deviceId: string): boolean {
    return this.c.run('DELETE FROM sessions WHERE user_id = ? AND device_id = ?', userId, deviceId).changes > 0;
  }
}
