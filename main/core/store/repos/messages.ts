import type { Connection } from '../connection';
import { decodeCursor, encodeCursor } from '../cursor';
import { StoreError } from '../errors';
import type { DedupeMarker, MessageKind, MessagePage, MessageRecord, MessageStatus, NewMessage, NewOutboxEntry } from '../types';
import type { OutboxRepo } from './outbox';

interface Row {
  seq: number;
  id: string;
  conversation_id: string;
  direction: 'in' | 'out';
  sender_user_id: string;
  sender_device_id: string;
  sender_message_id: string;
  kind: MessageKind;
  body: string;
  status: MessageStatus;
  sent_at: number;
  received_at: number | null;
  sort_at: number;
  read_at: number | null;
  urgent: 0 | 1;
  acknowledged_at: number | null;
}

const fromRow = (r: Row): MessageRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  direction: r.direction,
  senderUserId: r.sender_user_id,
  senderDeviceId: r.sender_device_id,
  senderMessageId: r.sender_message_id,
  kind: r.kind,
  body: r.body,
  status: r.status,
  sentAt: r.sent_at,
  receivedAt: r.received_at,
  sortAt: r.sort_at,
  readAt: r.read_at,
  urgent: r.urgent === 1,
  acknowledgedAt: r.acknowledged_at,
});

export const MAX_PAGE = 200;

/** Settings row present while retention deletes wait for the search index merge (mergeSearchStep). */
const SEARCH_MERGE_PENDING = 'store.search_merge_pending';

const OUT_RANK: Partial<Record<MessageStatus, number>> = { pending: 0, failed: 0, sent: 1, delivered: 2, read: 3 };

/**
 * Receipts arrive out of order and more than once, so an outgoing status only moves forward
 * (a late 'delivered' never undoes 'read'). 'failed' is reachable from 'pending' only, and a
 * retry moves 'failed' back to 'pending'. Incoming messages keep 'received'.
 */
export function statusTransitionAllowed(from: MessageStatus, to: MessageStatus): boolean {
  if (from === 'received' || to === 'received') return false;
  if (to === 'failed') return from === 'pending';
  if (to === 'pending') return from === 'failed';
  return (OUT_RANK[to] ?? -1) > (OUT_RANK[from] ?? 99);
}

/** Messages: insert, cursor pages (newest first), status updates, dedupe markers. */
export class MessageRepo {
  constructor(
    private readonly c: Connection,
    private readonly outbox: OutboxRepo,
  ) {}

  insert(m: NewMessage): MessageRecord {
    return this.c.tx(() => this.#insertRow(m));
  }

  /** Many messages in one transaction (history import, catching up after being offline). */
  insertMany(ms: readonly NewMessage[]): number {
    return this.c.tx(() => {
      const newest = new Map<string, number>();
      for (const m of ms) {
        const sortAt = this.#insertMessage(m);
        newest.set(m.conversationId, Math.max(newest.get(m.conversationId) ?? sortAt, sortAt));
      }
      for (const [id, sortAt] of newest) this.#touchConversation(id, sortAt);
      return ms.length;
    });
  }

  /** Our own message and its outbox entries commit together: a crash leaves both or neither. */
  insertOutgoing(m: NewMessage, entries: readonly Omit<NewOutboxEntry, 'messageId'>[]): MessageRecord {
    if (m.direction !== 'out') throw new StoreError('invalid', 'insertOutgoing takes an outgoing message');
    return this.c.tx(() => {
      const rec = this.#insertRow(m);
      for (const e of entries) this.outbox.enqueue({ ...e, messageId: m.id });
      return rec;
    });
  }

  get(id: string): MessageRecord | null {
    const r = this.c.get<Row>('SELECT * FROM messages WHERE id = ?', id);
    return r ? fromRow(r) : null;
  }

  /** Newest first; `before` is the nextCursor of the previous page. */
  page(conversationId: string, opts: { before?: string | null; limit?: number } = {}): MessagePage {
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), MAX_PAGE);
    const from = opts.before !== undefined && opts.before !== null ? decodeCursor(opts.before) : { sortAt: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
    const rows = this.c.all<Row>(
      `SELECT * FROM messages
       WHERE conversation_id = ? AND (sort_at, seq) < (?, ?)
       ORDER BY sort_at DESC, seq DESC LIMIT ?`,
      conversationId, from.sortAt, from.seq, limit + 1,
    );
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(fromRow), nextCursor: more && last ? encodeCursor({ sortAt: last.sort_at, seq: last.seq }) : null };
  }

  /** Returns false (and changes nothing) when the transition is not allowed or the id is unknown. */
  setStatus(id: string, status: MessageStatus): boolean {
    return this.c.tx(() => {
      const cur = this.c.get<{ status: MessageStatus }>('SELECT status FROM messages WHERE id = ?', id);
      if (!cur || !statusTransitionAllowed(cur.status, status)) return false;
      this.c.run('UPDATE messages SET status = ? WHERE id = ?', status, id);
      return true;
    });
  }

  /** Deletes the message (its outbox entries and attachments cascade); its dedupe marker stays. */
  remove(id: string): boolean {
    return this.c.run('DELETE FROM messages WHERE id = ?', id).changes > 0;
  }

  /**
   * A clinician deletes messages (after exporting them to the record): remove() for each in one
   * transaction, which also marks the search index for merging (see mergeSearchStep): the engine
   * runs the merge steps right after, as after a retention sweep. Returns how many.
   */
  removeMany(ids: readonly string[]): number {
    return this.c.tx(() => {
      const deleted = ids.filter((id) => this.remove(id)).length;
      if (deleted > 0) this.#markMergePending();
      return deleted;
    });
  }

  /** True while deleted messages' words wait for mergeSearchStep to leave the index pages. */
  searchMergePending(): boolean {
    return this.c.get('SELECT 1 FROM settings WHERE key = ?', SEARCH_MERGE_PENDING) !== undefined;
  }

  /** Committed with the delete, so a merge a lock interrupted is finished by the next sweep. */
  #markMergePending(): void {
    this.c.run("INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')", SEARCH_MERGE_PENDING);
  }

  /** The local message an envelope was stored as, found through its dedupe marker. */
  findByMarker(k: DedupeMarker): MessageRecord | null {
    const r = this.c.get<{ message_id: string | null }>(
      'SELECT message_id FROM received_markers WHERE sender_user_id = ? AND sender_device_id = ? AND sender_message_id = ?',
      k.senderUserId, k.senderDeviceId, k.senderMessageId,
    );
    return r?.message_id ? this.get(r.message_id) : null;
  }

  /**
   * Writes the dedupe marker; false when it already existed, i.e. this envelope was seen before.
   * Must run inside the caller's transaction together with what the envelope changes.
   */
  addMarker(k: DedupeMarker, messageId: string | null, now: number): boolean {
    return this.c.run(
      `INSERT OR IGNORE INTO received_markers (sender_user_id, sender_device_id, sender_message_id, message_id, received_at)
       VALUES (?, ?, ?, ?, ?)`,
      k.senderUserId, k.senderDeviceId, k.senderMessageId, messageId, now,
    ).changes > 0;
  }

  hasMarker(k: DedupeMarker): boolean {
    return this.c.get<{ one: number }>(
      'SELECT 1 AS one FROM received_markers WHERE sender_user_id = ? AND sender_device_id = ? AND sender_message_id = ?',
      k.senderUserId, k.senderDeviceId, k.senderMessageId,
    ) !== undefined;
  }

  /** One of our own outgoing messages by the id we gave it, whichever of our workstations sent it. */
  findOwn(userId: string, senderMessageId: string): MessageRecord | null {
    const r = this.c.get<Row>(
      "SELECT * FROM messages WHERE direction = 'out' AND sender_user_id = ? AND sender_message_id = ?",
      userId, senderMessageId,
    );
    return r ? fromRow(r) : null;
  }

  /** Read on another of our workstations: clears these incoming messages' unread state here too. */
  markReadBySender(conversationId: string, senderUserId: string | null, senderMessageIds: readonly string[], now: number): number {
    let n = 0;
    for (const id of senderMessageIds) {
      // null: any sender (a group's read state names messages by their random 128-bit ids alone).
      n += this.c.run(
        `UPDATE messages SET read_at = ? WHERE conversation_id = ? AND direction = 'in' AND (? IS NULL OR sender_user_id = ?)
           AND sender_message_id = ? AND read_at IS NULL`,
        now, conversationId, senderUserId, senderUserId, id,
      ).changes;
    }
    return n;
  }

  /** A retry: a failed message goes back to pending (the only backwards move allowed). */
  resetStatus(id: string, status: 'pending'): boolean {
    return this.c.run("UPDATE messages SET status = ? WHERE id = ? AND status = 'failed'", status, id).changes > 0;
  }

  /**
   * Retention, one chunk: deletes up to `limit` messages whose place in the timeline (sort_at) is
   * before `cutoff`, with their attachments, their content and thumbnails, and their outbox
   * entries (all cascade), and their search entries (trigger), in one transaction. The caller
   * repeats until fewer than `limit` come back, so no transaction holds the store for long, then
   * runs mergeSearchStep until it returns false: only then have the words left the index pages.
   * Conversation by conversation, each through the (conversation_id, sort_at) index: no scan of
   * the whole table.
   * Dedupe markers stay, so a re-delivered envelope of an expired message is not stored again.
   */
  deleteOlderThan(cutoff: number, limit: number): { messages: number; attachments: number } {
    return this.#deleteChunk(
      'SELECT m.seq FROM conversations c CROSS JOIN messages m ON m.conversation_id = c.id AND m.sort_at < ? LIMIT ?',
      cutoff, limit,
    );
  }

  /**
   * Disappearing messages, one chunk: deletes up to `limit` of the messages, in conversations with
   * a timer, since it was turned on whose place in the timeline is more than the timer ago, like
   * deleteOlderThan.
   */
  deleteExpired(now: number, limit: number): { messages: number; attachments: number } {
    return this.#deleteChunk(
      `SELECT m.seq FROM conversations c CROSS JOIN messages m ON m.conversation_id = c.id
       WHERE c.disappear_seconds > 0 AND m.sort_at >= c.disappear_since AND m.sort_at <= ? - c.disappear_seconds * 1000 LIMIT ?`,
      now, limit,
    );
  }

  /** `select` names the chunk's messages (seq); they are counted and deleted in one transaction. */
  #deleteChunk(select: string, at: number, limit: number): { messages: number; attachments: number } {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('invalid', `expected a positive chunk size, got ${limit}`);
    return this.c.tx(() => {
      const seqs = JSON.stringify(this.c.all<{ seq: number }>(select, at, limit).map((r) => r.seq));
      const attachments = this.c.get<{ n: number }>(
        'SELECT count(*) AS n FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.seq IN (SELECT value FROM json_each(?))',
        seqs,
      )?.n ?? 0;
      const messages = this.c.run('DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))', seqs).changes;
      if (messages > 0) this.#markMergePending();
      return { messages, attachments };
    });
  }

  /**
   * One step of merging the search index after retention deletes: writes about `pages` pages of
   * merged segments ('merge' with a negative count, which brings every segment down to one, as
   * 'optimize' does, a step at a time). A delete only adds a tombstone; the word itself leaves
   * the index when the segment holding it is merged into the oldest one, so the deleted words
   * are gone once this returns false. Returns true while there is more to merge; false at once
   * when no delete is waiting for a merge.
   */
  mergeSearchStep(pages: number): boolean {
    if (!Number.isSafeInteger(pages) || pages < 1) throw new StoreError('invalid', `expected a positive page count, got ${pages}`);
    return this.c.tx(() => {
      if (!this.searchMergePending()) return false;
      const before = this.#totalChanges();
      this.c.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)", -pages);
      // FTS5's documented signal: fewer than two changes means there was nothing left to merge.
      if (this.#totalChanges() - before >= 2) return true;
      this.c.run('DELETE FROM settings WHERE key = ?', SEARCH_MERGE_PENDING);
      return false;
    });
  }

  #totalChanges(): number {
    return this.c.get<{ n: number }>('SELECT total_changes() AS n')?.n ?? 0;
  }

  /** When the next disappearing message is due (ms), or null when none is waiting. */
  nextExpiry(): number | null {
    const r = this.c.get<{ at: number | null }>(
      `SELECT min(m.sort_at + c.disappear_seconds * 1000) AS at FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE c.disappear_seconds > 0 AND m.sort_at >= c.disappear_since`,
    );
    return r?.at ?? null;
  }

  /** Records an urgent message's acknowledgement once; false if it is not urgent or already acknowledged. */
  setAcknowledged(id: string, at: number): boolean {
    return this.c.run('UPDATE messages SET acknowledged_at = ? WHERE id = ? AND urgent = 1 AND acknowledged_at IS NULL', at, id).changes > 0;
  }

  /** An urgent message a colleague sent us, by the id they gave it (acknowledged on another of our workstations). */
  findUrgentIncoming(senderUserId: string, senderMessageId: string): MessageRecord | null {
    const r = this.c.get<Row>(
      "SELECT * FROM messages WHERE urgent = 1 AND direction = 'in' AND sender_user_id = ? AND sender_message_id = ?",
      senderUserId, senderMessageId,
    );
    return r ? fromRow(r) : null;
  }

  /** Urgent messages to us not yet acknowledged: their alerts resume at unlock. */
  openUrgent(): MessageRecord[] {
    return this.c.all<Row>("SELECT * FROM messages WHERE urgent = 1 AND direction = 'in' AND acknowledged_at IS NULL ORDER BY sort_at, seq").map(fromRow);
  }

  /** Our urgent messages no workstation of the recipient has confirmed storing, not yet warned about. */
  undeliveredUrgent(): MessageRecord[] {
    return this.c.all<Row>(
      `SELECT * FROM messages WHERE urgent = 1 AND direction = 'out' AND status IN ('pending', 'sent', 'failed')
         AND undelivered_warned_at IS NULL ORDER BY sent_at, seq`,
    ).map(fromRow);
  }

  /** The sender was told once; false if they already were. */
  markUndeliveredWarned(id: string, at: number): boolean {
    return this.c.run('UPDATE messages SET undelivered_warned_at = ? WHERE id = ? AND undelivered_warned_at IS NULL', at, id).changes > 0;
  }

  count(conversationId?: string): number {
    const r = conversationId === undefined
      ? this.c.get<{ n: number }>('SELECT count(*) AS n FROM messages')
      : this.c.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE conversation_id = ?', conversationId);
    return r?.n ?? 0;
  }

  #insertRow(m: NewMessage): MessageRecord {
    const sortAt = this.#insertMessage(m);
    this.#touchConversation(m.conversationId, sortAt);
    return { ...m, kind: m.kind ?? 'text', receivedAt: m.receivedAt ?? null, sortAt, readAt: null, urgent: m.urgent ?? false, acknowledgedAt: null };
  }

  #insertMessage(m: NewMessage): number {
    const sortAt = m.receivedAt ?? m.sentAt;
    this.c.run(
      `INSERT INTO messages (id, conversation_id, direction, sender_user_id, sender_device_id, sender_message_id,
         kind, body, status, sent_at, received_at, sort_at, urgent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.id, m.conversationId, m.direction, m.senderUserId, m.senderDeviceId, m.senderMessageId,
      m.kind ?? 'text', m.body, m.status, m.sentAt, m.receivedAt ?? null, sortAt, m.urgent ? 1 : 0,
    );
    return sortAt;
  }

  #touchConversation(id: string, sortAt: number): void {
    this.c.run('UPDATE conversations SET last_activity_at = max(last_activity_at, ?) WHERE id = ?', sortAt, id);
  }
}
