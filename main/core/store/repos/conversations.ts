import type { Connection } from '../connection';
import type { ConversationKind, ConversationRecord, ConversationSummary, Direction, DisappearingTimer } from '../types';

interface Row {
  id: string;
  kind: ConversationKind;
  title: string;
  created_at: number;
  last_activity_at: number;
  disappear_seconds: number;
}
interface SummaryRow extends Row {
  unread: number;
  m_id: string | null;
  m_direction: Direction | null;
  m_sender: string | null;
  m_preview: string | null;
  m_sent_at: number | null;
}

export const PREVIEW_CHARS = 120;

const fromRow = (r: Row): ConversationRecord => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  createdAt: r.created_at,
  lastActivityAt: r.last_activity_at,
  disappearSeconds: r.disappear_seconds,
});

/** Conversations, their members, and the list the UI shows (unread counts, last message). */
export class ConversationRepo {
  constructor(private readonly c: Connection) {}

  create(input: { id: string; kind: ConversationKind; title: string; now: number; members?: readonly string[] }): void {
    this.c.tx(() => {
      this.c.run(
        'INSERT INTO conversations (id, kind, title, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?)',
        input.id, input.kind, input.title, input.now, input.now,
      );
      for (const m of input.members ?? []) this.addMember(input.id, m);
    });
  }

  get(id: string): ConversationRecord | null {
    const r = this.c.get<Row>('SELECT * FROM conversations WHERE id = ?', id);
    return r ? fromRow(r) : null;
  }

  timer(id: string): DisappearingTimer | null {
    const r = this.c.get<{ s: number; at: number | null; by: string | null }>(
      'SELECT disappear_seconds AS s, disappear_set_at AS at, disappear_set_by AS by FROM conversations WHERE id = ?', id,
    );
    return r && r.at !== null && r.by !== null ? { seconds: r.s, setAt: r.at, setBy: r.by } : null;
  }

  /**
   * Applies a disappearing-messages setting if it is newer than the one held (by time, then by
   * setter id, so every device settles on the same one whatever order they arrive in). Turning
   * it on records since when; changing the length keeps that; turning it off clears it.
   */
  setTimer(id: string, t: DisappearingTimer): boolean {
    return this.c.run(
      `UPDATE conversations SET disappear_seconds = ?, disappear_set_at = ?, disappear_set_by = ?,
         disappear_since = CASE WHEN ? = 0 THEN NULL ELSE coalesce(CASE WHEN disappear_seconds > 0 THEN disappear_since END, ?) END
       WHERE id = ? AND (disappear_set_at IS NULL OR disappear_set_at < ? OR (disappear_set_at = ? AND disappear_set_by < ?))`,
      t.seconds, t.setAt, t.setBy, t.seconds, t.setAt, id, t.setAt, t.setAt, t.setBy,
    ).changes > 0;
  }

  setTitle(id: string, title: string): boolean {
    return this.c.run('UPDATE conversations SET title = ? WHERE id = ?', title, id).changes > 0;
  }

  /** Deletes the conversation with its messages, outbox entries and attachments (cascade). */
  remove(id: string): boolean {
    return this.c.run('DELETE FROM conversations WHERE id = ?', id).changes > 0;
  }

  addMember(conversationId: string, userId: string): void {
    this.c.run('INSERT OR IGNORE INTO conversation_members (conversation_id, user_id) VALUES (?, ?)', conversationId, userId);
  }

  removeMember(conversationId: string, userId: string): boolean {
    return this.c.run('DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?', conversationId, userId).changes > 0;
  }

  members(conversationId: string): string[] {
    return this.c
      .all<{ user_id: string }>('SELECT user_id FROM conversation_members WHERE conversation_id = ? ORDER BY user_id', conversationId)
      .map((r) => r.user_id);
  }

  /** Most recently active first, each with its unread count and a preview of its newest message. */
  list(opts: { limit?: number } = {}): ConversationSummary[] {
    const rows = this.c.all<SummaryRow>(
      `SELECT c.*,
         (SELECT count(*) FROM messages u
           WHERE u.conversation_id = c.id AND u.direction = 'in' AND u.read_at IS NULL) AS unread,
         m.id AS m_id, m.direction AS m_direction, m.sender_user_id AS m_sender,
         substr(m.body, 1, ${PREVIEW_CHARS}) AS m_preview, m.sent_at AS m_sent_at
       FROM conversations c
       LEFT JOIN messages m ON m.seq = (
         SELECT seq FROM messages l WHERE l.conversation_id = c.id ORDER BY l.sort_at DESC, l.seq DESC LIMIT 1)
       ORDER BY c.last_activity_at DESC, c.id
       LIMIT ?`,
      opts.limit ?? -1,
    );
    return rows.map((r) => ({
      ...fromRow(r),
      unreadCount: r.unread,
      lastMessage:
        r.m_id === null
          ? null
          : { id: r.m_id, direction: r.m_direction ?? 'in', senderUserId: r.m_sender ?? '', preview: r.m_preview ?? '', sentAt: r.m_sent_at ?? 0 },
    }));
  }

  unreadCount(conversationId: string): number {
    return this.c.get<{ n: number }>(
      "SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND direction = 'in' AND read_at IS NULL",
      conversationId,
    )?.n ?? 0;
  }

  /**
   * Marks incoming messages read up to `upToSortAt` (default: all) and returns what was marked, so
   * the engine can send read receipts to each sender for exactly those messages.
   */
  markRead(conversationId: string, now: number, upToSortAt?: number): { id: string; senderUserId: string; senderMessageId: string }[] {
    return this.c.tx(() => {
      const limit = upToSortAt ?? Number.MAX_SAFE_INTEGER;
      const rows = this.c.all<{ id: string; sender_user_id: string; sender_message_id: string }>(
        `SELECT id, sender_user_id, sender_message_id FROM messages
         WHERE conversation_id = ? AND direction = 'in' AND read_at IS NULL AND sort_at <= ?`,
        conversationId, limit,
      );
      this.c.run(
        `UPDATE messages SET read_at = ?
         WHERE conversation_id = ? AND direction = 'in' AND read_at IS NULL AND sort_at <= ?`,
        now, conversationId, limit,
      );
      return rows.map((r) => ({ id: r.id, senderUserId: r.sender_user_id, senderMessageId: r.sender_message_id }));
    });
  }
}
