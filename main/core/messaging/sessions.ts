import { verifyDeviceCertificate } from '../../../protocol/certificate';
import { decodeBase64 } from '../../../protocol/relay';
import type { RelayResponse } from '../../../protocol/relay';

type PrekeyBundle = RelayResponse<'prekeys.bundle'>['bundles'][number];
import { deserializeSessionRecord, encryptMessage, initiateSession, serializeSessionRecord, verifyBundle } from '../crypto';
import type { DeviceKeys, PreKeyBundle, Session, SessionRecord } from '../crypto';
import type { EngineParts } from './parts';

export interface DeviceRef {
  userId: string;
  deviceId: string;
  identityKey: Uint8Array;
}

/**
 * Pairwise sessions with other devices: loads them from the store, and starts missing ones from
 * prekey bundles. A bundle is used only if its certificate verifies under the pinned directory
 * key for the identity key we already hold for that device, and its prekey signatures verify.
 */
export class SessionBook {
  constructor(
    private readonly deps: Omit<EngineParts, 'now'> & { deviceKeys: () => DeviceKeys },
  ) {}

  /** The sessions kept with one device (current first), or null when there are none. */
  load(userId: string, deviceId: string): SessionRecord | null {
    const bytes = this.deps.store.sessions.get(userId, deviceId);
    return bytes ? deserializeSessionRecord(bytes) : null;
  }

  /** Sessions for every target, starting the missing ones; devices whose bundle fails are left out. */
  async ensure(targets: readonly DeviceRef[]): Promise<Map<string, SessionRecord>> {
    const out = new Map<string, SessionRecord>();
    const missing: DeviceRef[] = [];
    for (const t of targets) {
      const s = this.load(t.userId, t.deviceId);
      if (s) out.set(t.deviceId, s);
      else missing.push(t);
    }
    for (let i = 0; i < missing.length; i += 64) {
      const batch = missing.slice(i, i + 64);
      const answer = await this.deps.relay.request('prekeys.bundle', { deviceIds: batch.map((t) => t.deviceId) });
      for (const bundle of answer.bundles) {
        const target = batch.find((t) => t.deviceId === bundle.deviceId);
        if (!target) continue;
        try {
          out.set(target.deviceId, { current: this.start(target, bundle), previous: [] });
        } catch (err) {
          this.deps.log('session.bundle_refused', { userId: target.userId, deviceId: target.deviceId, reason: err instanceof Error ? err.name : 'error' });
        }
      }
    }
    return out;
  }

  /** Encrypts for one device in its current session; the caller commits `record` with the ciphertext. */
  encrypt(sessions: SessionRecord, plaintext: Uint8Array): { session: SessionRecord; record: Uint8Array; ciphertext: Uint8Array } {
    const next = encryptMessage(sessions.current, plaintext, this.deps.rng);
    const updated = { ...sessions, current: next.session };
    return { session: updated, record: serializeSessionRecord(updated), ciphertext: next.message };
  }

  private start(target: DeviceRef, bundle: PrekeyBundle): Session {
    const identityKey = decodeBase64(bundle.identityKey);
    verifyDeviceCertificate(decodeBase64(bundle.certificate), this.deps.account.directoryKey, {
      userId: target.userId,
      deviceId: target.deviceId,
      identityKey: target.identityKey,
    });
    const parsed: PreKeyBundle = {
      identityKey,
      signedPreKey: { id: bundle.signedPrekey.id, publicKey: decodeBase64(bundle.signedPrekey.publicKey), signature: decodeBase64(bundle.signedPrekey.signature) },
      oneTimePreKey: bundle.oneTimePrekey ? { id: bundle.oneTimePrekey.id, publicKey: decodeBase64(bundle.oneTimePrekey.publicKey) } : undefined,
      pqPreKey: { id: bundle.pqPrekey.id, publicKey: decodeBase64(bundle.pqPrekey.publicKey), signature: decodeBase64(bundle.pqPrekey.signature) },
    };
    verifyBundle(parsed);
    return initiateSession(this.deps.deviceKeys().identity, parsed, target.identityKey, this.deps.rng);
  }
}
