import { toBytes } from '../bytes';
import type { Connection } from '../connection';

export interface GroupRecord {
  conversationId: string;
  groupId: Uint8Array;
  /** Serialised GroupState (crypto/group-codec.ts); opaque here. */
  state: Uint8Array;
  /** When this clinician left or was removed; the conversation is then read-only. */
  leftAt: number | null;
  updatedAt: number;
}

export interface ReceivedSenderKey {
  userId: string;
  deviceId: string;
  chainId: number;
  epoch: number;
  record: Uint8Array;
}

export interface ReceiptCounts {
  /** Members other than the sender. */
  delivered: number;
  read: number;
}

interface GroupRow {
  conversation_id: string;
  group_id: Uint8Array;
  state: Uint8Array;
  left_at: number | null;
  updated_at: number;
}

const fromRow = (r: GroupRow): GroupRecord => ({
  conversationId: r.conversation_id,
  groupId: toBytes(r.group_id),
  state: toBytes(r.state),
  leftAt: r.left_at,
  updatedAt: r.updated_at,
});

/**
 * Group membership records, sender keys (ours and the other members'), who has been sent our
 * current sender key, and per-member receipts for our group messages. Key material is opaque
 * bytes owned by the crypto layer.
 */
export class GroupRepo {
  constructor(private readonly c: Connection) {}

  create(input: { conversationId: string; groupId: Uint8Array; state: Uint8Array; now: number }): void {
    this.c.run(
      'INSERT INTO groups (conversation_id, group_id, state, left_at, updated_at) VALUES (?, ?, ?, NULL, ?)',
      input.conversationId, input.groupId, input.state, input.now,
    );
  }

  get(conversationId: string): GroupRecord | null {
    const r = this.c.get<GroupRow>('SELECT * FROM groups WHERE conversation_id = ?', conversationId);
    return r ? fromRow(r) : null;
  }

  byGroupId(groupId: Uint8Array): GroupRecord | null {
    const r = this.c.get<GroupRow>('SELECT * FROM groups WHERE group_id = ?', groupId);
    return r ? fromRow(r) : null;
  }

  list(): GroupRecord[] {
    return this.c.all<GroupRow>('SELECT * FROM groups ORDER BY conversation_id').map(fromRow);
  }

  /** The next state after a verified change; `left` marks this clinician as no longer a member. */
  setState(conversationId: string, state: Uint8Array, now: number, left = false): boolean {
    return this.c.run(
      'UPDATE groups SET state = ?, updated_at = ?, left_at = CASE WHEN ? THEN coalesce(left_at, ?) ELSE NULL END WHERE conversation_id = ?',
      state, now, left ? 1 : 0, now, conversationId,
    ).changes > 0;
  }

  ownSenderKey(groupId: Uint8Array): Uint8Array | null {
    const r = this.c.get<{ record: Uint8Array }>('SELECT record FROM own_sender_keys WHERE group_id = ?', groupId);
    return r ? toBytes(r.record) : null;
  }

  putOwnSenderKey(groupId: Uint8Array, record: Uint8Array, now: number): void {
    this.c.run(
      `INSERT INTO own_sender_keys (group_id, record, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      groupId, record, now,
    );
  }

  /** Forgets our sending chain (after a removal) and whom it was shared with: the next message makes a new one. */
  dropOwnSenderKey(groupId: Uint8Array): void {
    this.c.run('DELETE FROM own_sender_keys WHERE group_id = ?', groupId);
    this.c.run('DELETE FROM sender_key_shares WHERE group_id = ?', groupId);
  }

  senderKey(groupId: Uint8Array, userId: string, deviceId: string, chainId: number): ReceivedSenderKey | null {
    const r = this.c.get<{ epoch: number; record: Uint8Array }>(
      'SELECT epoch, record FROM sender_keys WHERE group_id = ? AND user_id = ? AND device_id = ? AND chain_id = ?',
      groupId, userId, deviceId, chainId,
    );
    return r ? { userId, deviceId, chainId, epoch: r.epoch, record: toBytes(r.record) } : null;
  }

  putSenderKey(groupId: Uint8Array, key: ReceivedSenderKey, now: number): void {
    this.c.run(
      `INSERT INTO sender_keys (group_id, user_id, device_id, chain_id, epoch, record, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (group_id, user_id, device_id, chain_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      groupId, key.userId, key.deviceId, key.chainId, key.epoch, key.record, now,
    );
  }

  /** Every chain we hold for one member's devices (tests and diagnostics). */
  senderKeyRecords(groupId: Uint8Array, userId: string): Uint8Array[] {
    return this.c.all<{ record: Uint8Array }>('SELECT record FROM sender_keys WHERE group_id = ? AND user_id = ? ORDER BY device_id, chain_id', groupId, userId).map((r) => toBytes(r.record));
  }

  /** Drops the chains of one member (removed or left) or, with epochBelow, every chain older than a removal. */
  dropSenderKeys(groupId: Uint8Array, filter: { userId: string } | { epochBelow: number }): number {
    return 'userId' in filter
      ? this.c.run('DELETE FROM sender_keys WHERE group_id = ? AND user_id = ?', groupId, filter.userId).changes
      : this.c.run('DELETE FROM sender_keys WHERE group_id = ? AND epoch < ?', groupId, filter.epochBelow).changes;
  }

  sharedWith(groupId: Uint8Array, chainId: number): Set<string> {
    return new Set(
      this.c
        .all<{ user_id: string; device_id: string }>('SELECT user_id, device_id FROM sender_key_shares WHERE group_id = ? AND chain_id = ?', groupId, chainId)
        .map((r) => `${r.user_id}/${r.device_id}`),
    );
  }

  markShared(groupId: Uint8Array, chainId: number, devices: readonly { userId: string; deviceId: string }[]): void {
    for (const d of devices) {
      this.c.run('INSERT OR IGNORE INTO sender_key_shares (group_id, chain_id, user_id, device_id) VALUES (?, ?, ?, ?)', groupId, chainId, d.userId, d.deviceId);
    }
  }

  /** A member's receipt for one of our group messages; later times never move an earlier one. */
  recordReceipt(messageId: string, userId: string, kind: 'delivered' | 'read', at: number): boolean {
    return this.c.run(
      `INSERT INTO message_receipts (message_id, user_id, delivered_at, read_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (message_id, user_id) DO UPDATE SET
         delivered_at = coalesce(delivered_at, excluded.delivered_at),
         read_at = coalesce(read_at, excluded.read_at)
       WHERE (delivered_at IS NULL) OR (excluded.read_at IS NOT NULL AND read_at IS NULL)`,
      messageId, userId, at, kind === 'read' ? at : null,
    ).changes > 0;
  }

  receiptCounts(messageId: string): ReceiptCounts {
    const r = this.c.get<{ delivered: number; read: number }>(
      'SELECT count(delivered_at) AS delivered, count(read_at) AS read FROM message_receipts WHERE message_id = ?',
      messageId,
    );
    return { delivered: r?.delivered ?? 0, read: r?.read ?? 0 };
  }

  receipts(messageId: string): { userId: string; deliveredAt: number | null; readAt: number | null }[] {
    return this.c
      .all<{ user_id: string; delivered_at: number | null; read_at: number | null }>(
        'SELECT user_id, delivered_at, read_at FROM message_receipts WHERE message_id = ? ORDER BY user_id',
        messageId,
      )
      .map((r) => ({ userId: r.user_id, deliveredAt: r.delivered_at, readAt: r.read_at }));
  }
}
