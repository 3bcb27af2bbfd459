import { toBytes } from '../bytes';
import type { Connection } from '../connection';
import type { AccountRecord } from '../types';

interface Row {
  user_id: string;
  device_id: string;
  username: string;
  display_name: string;
  relay_url: string;
  directory_key: Uint8Array;
  certificate: Uint8Array;
  device_keys: Uint8Array;
}

/** The profile's enrolment: one row, written at enrolment; the device keys change as prekeys are used. */
export class AccountRepo {
  constructor(private readonly c: Connection) {}

  get(): AccountRecord | null {
    const r = this.c.get<Row>('SELECT * FROM account WHERE id = 1');
    if (!r) return null;
    return {
      userId: r.user_id,
      deviceId: r.device_id,
      username: r.username,
      displayName: r.display_name,
      relayUrl: r.relay_url,
      directoryKey: toBytes(r.directory_key),
      certificate: toBytes(r.certificate),
      deviceKeys: toBytes(r.device_keys),
    };
  }

  set(a: AccountRecord & { now: number }): void {
    this.c.run(
      `INSERT INTO account (id, user_id, device_id, username, display_name, relay_url, directory_key, certificate, device_keys, created_at, updated_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, device_id = excluded.device_id, username = excluded.username,
         display_name = excluded.display_name, relay_url = excluded.relay_url, directory_key = excluded.directory_key,
         certificate = excluded.certificate, device_keys = excluded.device_keys, updated_at = excluded.updated_at`,
      a.userId, a.deviceId, a.username, a.displayName, a.relayUrl, a.directoryKey, a.certificate, a.deviceKeys, a.now, a.now,
    );
  }

  /** Called in the same transaction as the session an initial message created, or before a prekey upload. */
  setDeviceKeys(deviceKeys: Uint8Array): void {
    if (this.c.run('UPDATE account SET device_keys = ? WHERE id = 1', deviceKeys).changes !== 1) {
      throw new Error('no account to update');
    }
  }
}
