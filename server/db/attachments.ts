/**
 * Attachment metadata: who uploaded a blob, its exact size, and which recipient devices have
 * fetched it. The blob itself lives on disk (http/attachments.ts); a row is deleted with its file
 * once every recipient has fetched it or its retention has passed.
 */
import type { Db } from './database';

export interface AttachmentRow {
  id: string;
  uploaderDeviceId: string;
  size: number;
  state: 'pending' | 'complete';
  expiresAt: number;
}

export class AttachmentRepository {
  constructor(private readonly db: Db) {}

  create(row: Omit<AttachmentRow, 'state'>, recipients: string[], now: number): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO attachments (id, uploader_device_id, size, state, created_at, expires_at) VALUES (?, ?, ?, 'pending', ?, ?)")
        .run(row.id, row.uploaderDeviceId, row.size, now, row.expiresAt);
      const insert = this.db.prepare('INSERT OR IGNORE INTO attachment_recipients (attachment_id, device_id) VALUES (?, ?)');
      for (const deviceId of recipients) insert.run(row.id, deviceId);
    }).immediate();
  }

  get(id: string): AttachmentRow | undefined {
    return this.db
      .prepare('SELECT id, uploader_device_id AS uploaderDeviceId, size, state, expires_at AS expiresAt FROM attachments WHERE id = ?')
      .get(id) as AttachmentRow | undefined;
  }

  markComplete(id: string): void {
    this.db.prepare("UPDATE attachments SET state = 'complete' WHERE id = ?").run(id);
  }

  isRecipient(id: string, deviceId: string): boolean {
    return this.db.prepare('SELECT 1 FROM attachment_recipients WHERE attachment_id = ? AND device_id = ?').get(id, deviceId) !== undefined;
  }

  /** Records a completed download; returns true when no recipient is left waiting for the blob. */
  markFetched(id: string, deviceId: string, now: number): boolean {
    return this.db.transaction(() => {
      this.db
        .prepare('UPDATE attachment_recipients SET fetched_at = ? WHERE attachment_id = ? AND device_id = ? AND fetched_at IS NULL')
        .run(now, id, deviceId);
      const waiting = this.db
        .prepare('SELECT count(*) AS n FROM attachment_recipients WHERE attachment_id = ? AND fetched_at IS NULL')
        .get(id) as { n: number };
      return waiting.n === 0;
    }).immediate();
  }

  /** Deletes these attachments' rows (and, by cascade, their recipients) in one transaction. */
  delete(ids: string[]): void {
    const remove = this.db.prepare('DELETE FROM attachments WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) remove.run(id);
    })();
  }

  /**
   * Attachments to remove: past retention (or never uploaded within pendingBefore), and complete
   * ones nobody is waiting for any more (recipients fetched it or were revoked).
   */
  doomed(now: number, pendingBefore: number): string[] {
    return (
      this.db
        .prepare(
          `SELECT id FROM attachments a WHERE a.expires_at <= ?
             OR (a.state = 'pending' AND a.created_at < ?)
             OR (a.state = 'complete' AND NOT EXISTS
                  (SELECT 1 FROM attachment_recipients r WHERE r.attachment_id = a.id AND r.fetched_at IS NULL))`,
        )
        .all(now, pendingBefore) as { id: string }[]
    ).map((row) => row.id);
  }
}
