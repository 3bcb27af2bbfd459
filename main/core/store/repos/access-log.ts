import type { Connection } from '../connection';
import type { AccessLogEntry } from '../types';

/** The profile's own audit trail (unlocks, failed attempts seen at unlock, exports). Append-only. */
export class AccessLogRepo {
  constructor(private readonly c: Connection) {}

  append(input: { at: number; event: string; detail?: string | null }): number {
    return Number(this.c.run('INSERT INTO access_log (at, event, detail) VALUES (?, ?, ?)', input.at, input.event, input.detail ?? null).lastInsertRowid);
  }

  /** Newest first. */
  list(opts: { limit?: number } = {}): AccessLogEntry[] {
    return this.c.all<AccessLogEntry>('SELECT id, at, event, detail FROM access_log ORDER BY at DESC, id DESC LIMIT ?', opts.limit ?? 100);
  }
}
