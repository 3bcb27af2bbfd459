import { toBytes } from '../bytes';
import type { Connection } from '../connection';
import type { AttachmentRecord, AttachmentState } from '../types';

interface Row {
  id: string;
  message_id: string;
  file_name: string;
  mime_type: string;
  size: number;
  sha256: Uint8Array;
  state: AttachmentState;
  created_at: number;
  pointer: string | null;
  thumbnail: Uint8Array | null;
}

const fromRow = (r: Row): AttachmentRecord => ({
  id: r.id,
  messageId: r.message_id,
  fileName: r.file_name,
  mimeType: r.mime_type,
  size: r.size,
  sha256: toBytes(r.sha256),
  state: r.state,
  createdAt: r.created_at,
  pointer: r.pointer,
  thumbnail: r.thumbnail ? toBytes(r.thumbnail) : null,
});

/**
 * Attachment metadata and content. Content bytes are kept inside the encrypted database rather
 * than as files: a file next to it would be plaintext at rest (or need a second key scheme).
 */
export class AttachmentRepo {
  constructor(private readonly c: Connection) {}

  add(a: AttachmentRecord): void {
    this.c.run(
      `INSERT INTO attachments (id, message_id, file_name, mime_type, size, sha256, state, created_at, pointer, thumbnail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      a.id, a.messageId, a.fileName, a.mimeType, a.size, a.sha256, a.state, a.createdAt, a.pointer ?? null, a.thumbnail ?? null,
    );
  }

  get(id: string): AttachmentRecord | null {
    const r = this.c.get<Row>('SELECT * FROM attachments WHERE id = ?', id);
    return r ? fromRow(r) : null;
  }

  forMessage(messageId: string): AttachmentRecord[] {
    return this.c.all<Row>('SELECT * FROM attachments WHERE message_id = ? ORDER BY created_at, id', messageId).map(fromRow);
  }

  /** Stores the content; `markStored` (default) also marks the attachment 'stored' in the same transaction. */
  putContent(id: string, data: Uint8Array, opts: { markStored?: boolean } = {}): void {
    this.c.tx(() => {
      this.c.run(
        'INSERT INTO attachment_blobs (attachment_id, data) VALUES (?, ?) ON CONFLICT (attachment_id) DO UPDATE SET data = excluded.data',
        id, data,
      );
      if (opts.markStored ?? true) this.c.run("UPDATE attachments SET state = 'stored' WHERE id = ?", id);
    });
  }

  setPointer(id: string, pointer: string): boolean {
    return this.c.run('UPDATE attachments SET pointer = ? WHERE id = ?', pointer, id).changes > 0;
  }

  /** Uploads and downloads still to do, oldest first (resumed after a restart or reconnect). */
  unfinished(): AttachmentRecord[] {
    return this.c.all<Row>("SELECT * FROM attachments WHERE state = 'pending' ORDER BY created_at, id").map(fromRow);
  }

  getContent(id: string): Uint8Array | null {
    const r = this.c.get<{ data: Uint8Array }>('SELECT data FROM attachment_blobs WHERE attachment_id = ?', id);
    return r ? toBytes(r.data) : null;
  }

  setState(id: string, state: AttachmentState): boolean {
    return this.c.run('UPDATE attachments SET state = ? WHERE id = ?', state, id).changes > 0;
  }

  remove(id: string): boolean {
    return this.c.run('DELETE FROM attachments WHERE id = ?', id).changes > 0;
  }
}
