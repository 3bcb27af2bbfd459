import { toBytes } from '../bytes';
import type { Connection } from '../connection';
import type { IdentityRecord } from '../types';

interface Row {
  user_id: string;
  device_id: string;
  registration_id: number;
  identity_public: Uint8Array;
  identity_private: Uint8Array;
  created_at: number;
}

/** This profile's own identity: one row, written at enrolment. */
export class IdentityRepo {
  constructor(private readonly c: Connection) {}

  get(): IdentityRecord | null {
    const r = this.c.get<Row>('SELECT * FROM identity WHERE id = 1');
    if (!r) return null;
    return {
      userId: r.user_id,
      deviceId: r.device_id,
      registrationId: r.registration_id,
      identityPublic: toBytes(r.identity_public),
      identityPrivate: toBytes(r.identity_private),
      createdAt: r.created_at,
    };
  }

  set(rec: IdentityRecord): void {
    this.c.run(
      `INSERT INTO identity (id, user_id, device_id, registration_id, identity_public, identity_private, created_at)
       VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, device_id = excluded.device_id,
         registration_id = excluded.registration_id, identity_public = excluded.identity_public,
         identity_private = excluded.identity_private, created_at = excluded.created_at`,
      rec.userId, rec.deviceId, rec.registrationId, rec.identityPublic, rec.identityPrivate, rec.createdAt,
    );
  }
}
