import { verifyDeviceCertificate } from '../../../protocol/certificate';
import { decodeBase64 } from '../../../protocol/relay';
import type { DeviceRecord } from '../store';
import type { Account } from './account';
import { directConversationId, localLineId, newMessageId } from './ids';
import type { EngineParts } from './parts';

export type DeviceNotice = { kind: 'new-device' | 'key-changed' | 'device-removed'; userId: string; deviceId: string };

/**
 * Which devices each person has, as certified by the organisation's directory key. The relay
 * answers the list; every entry's certificate must verify under the pinned key and name that
 * user, device and identity key, or it is dropped. Differences from what the store knew are
 * reported as notices, so a device the relay adds is always shown in the conversation.
 */
export class DeviceDirectory {
  private readonly fetchedAt = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<DeviceRecord[]>>();

  constructor(
    private readonly deps: Omit<EngineParts, 'rng'> & { onNotice: (notice: DeviceNotice) => void; maxAgeMs?: number },
  ) {}

  /** The user's active devices; asks the relay when the list is older than maxAgeMs. */
  async devices(userId: string, options: { fresh?: boolean } = {}): Promise<DeviceRecord[]> {
    const age = this.deps.now() - (this.fetchedAt.get(userId) ?? -Infinity);
    if (!options.fresh && age < (this.deps.maxAgeMs ?? 30_000)) return this.deps.store.contacts.devices(userId);
    let pending = this.inflight.get(userId);
    if (!pending) {
      pending = this.refresh(userId).finally(() => this.inflight.delete(userId));
      this.inflight.set(userId, pending);
    }
    return pending;
  }

  /** The certified identity key of one device, asking the relay once if it is not known yet. */
  async identityOf(userId: string, deviceId: string): Promise<Uint8Array | null> {
    const known = this.deps.store.contacts.device(userId, deviceId);
    if (known) return known.identityKey;
    const devices = await this.devices(userId, { fresh: true });
    return devices.find((d) => d.deviceId === deviceId)?.identityKey ?? null;
  }

  private async refresh(userId: string): Promise<DeviceRecord[]> {
    const { store, relay, account, now } = this.deps;
    const answer = await relay.request('directory.devices', { userId });
    if (!store.contacts.get(userId)) {
      // Someone who wrote first: learn their name from the directory before recording devices.
      const known = await relay.request('directory.user', { userId });
      const name = known.user?.displayName ?? (userId === account.userId ? account.displayName : 'Unknown colleague');
      store.contacts.upsert({ userId, displayName: name, username: known.user?.username ?? null, now: now() });
    }
    const certified: { deviceId: string; identityKey: Uint8Array }[] = [];
    for (const d of answer.devices) {
      try {
        const identityKey = decodeBase64(d.identityKey);
        verifyDeviceCertificate(decodeBase64(d.certificate), account.directoryKey, { userId, deviceId: d.deviceId, identityKey });
        certified.push({ deviceId: d.deviceId, identityKey });
      } catch {
        // A device whose certificate does not verify does not exist for us: never send to it,
        // never accept from it. Logged without key material.
        this.deps.log('directory.uncertified_device', { userId, deviceId: d.deviceId });
      }
    }
    const notices: DeviceNotice[] = [];
    store.transaction(() => {
      const before = store.contacts.devices(userId);
      const hadDevices = before.length > 0;
      const verified = before.some((d) => d.trust === 'verified' || d.trust === 'changed');
      for (const d of certified) {
        if (userId === account.userId && d.deviceId === account.deviceId) continue;
        const change = store.contacts.recordDevice({ userId, deviceId: d.deviceId, identityKey: d.identityKey, now: now() });
        if (change === 'changed') notices.push({ kind: 'key-changed', userId, deviceId: d.deviceId });
        if (change === 'new' && hadDevices) notices.push({ kind: 'new-device', userId, deviceId: d.deviceId });
        // For someone this clinician verified, a new or changed device waits for their approval.
        if (change !== 'unchanged' && verified) store.contacts.setTrust(userId, d.deviceId, 'changed', now());
      }
      const listed = new Set(certified.map((d) => d.deviceId));
      for (const old of before) {
        if (listed.has(old.deviceId)) continue;
        // Revoked or disabled on the relay: stop encrypting to it and forget its session.
        store.contacts.removeDevice(userId, old.deviceId);
        store.sessions.remove(userId, old.deviceId);
        notices.push({ kind: 'device-removed', userId, deviceId: old.deviceId });
      }
    });
    this.fetchedAt.set(userId, now());
    for (const n of notices) this.deps.onNotice(n);
    return store.contacts.devices(userId);
  }
}

/**
 * A safety notice in the direct conversation with that colleague (if there is one) when one of
 * their workstations is new, changed its key or was removed. Returns the line's id, or null.
 */
export function deviceNoticeLine(deps: Pick<EngineParts, 'store' | 'rng' | 'now'> & { account: Account }, n: DeviceNotice): string | null {
  const { store, account, now } = deps;
  if (n.userId === account.userId) return null;
  const conversationId = directConversationId(n.userId);
  if (!store.conversations.get(conversationId)) return null;
  const name = store.contacts.get(n.userId)?.displayName ?? 'This colleague';
  const text =
    n.kind === 'new-device'
      ? `${name} signed in on a new workstation. Your safety number with ${name} has changed.`
      : n.kind === 'key-changed'
        ? `The security key of one of ${name}'s workstations changed. Compare safety numbers before sharing patient details.`
        : `One of ${name}'s workstations was removed.`;
  const id = newMessageId(deps.rng);
  store.messages.insert({
    id, conversationId, direction: 'in', senderUserId: n.userId, senderDeviceId: n.deviceId,
    senderMessageId: localLineId('notice', id), kind: 'system', body: text, status: 'received', sentAt: now(), receivedAt: now(),
  });
  return id;
}
