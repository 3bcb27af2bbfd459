import type { Connection } from '../connection';
import { HIGHLIGHT_END, HIGHLIGHT_START, MAX_COMPLETIONS, parseSnippet, toFtsQuery, toSearchTerms } from '../fts-query';
import type { SearchHit } from '../types';

interface Ranked {
  seq: number;
  rank: number;
}
interface Detail {
  id: string;
  conversation_id: string;
  sent_at: number;
  snip: string | null;
}

/** Matches ranked per query; see `messages`. */
export const RANKING_WINDOW = 2_000;

const SNIPPET = `snippet(messages_fts, 0, '${HIGHLIGHT_START}', '${HIGHLIGHT_END}', '…', 12)`;

/** Full-text search over message bodies: bm25-ranked, with highlighted snippets. */
export class SearchRepo {
  #vocab = false;

  constructor(private readonly c: Connection) {}

  /**
   * Ranks by bm25 the RANKING_WINDOW most recent matches and returns the best `limit`. bm25 costs
   * a lookup per matching message, so a very common word in a million messages would otherwise
   * take far longer than an interactive search may (~35 ms per 5,000 matches measured); the
   * window keeps a search bounded, and a clinician looking for something older adds a word.
   * The last word, from MIN_PREFIX_CHARS on, also matches its most frequent completions.
   * Snippets are computed for the returned hits only.
   */
  messages(text: string, opts: { conversationId?: string; limit?: number } = {}): SearchHit[] {
    const terms = toSearchTerms(text);
    if (terms === null) return [];
    const q = toFtsQuery(terms, terms.prefix === null ? [] : this.#completions(terms.prefix));
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 20), 1), 100);
    const ranked = opts.conversationId === undefined ? this.#rankAll(q, limit) : this.#rankIn(q, opts.conversationId, limit);
    const hits: SearchHit[] = [];
    for (const r of ranked) {
      const d = this.c.get<Detail>(
        `SELECT m.id, m.conversation_id, m.sent_at,
           (SELECT ${SNIPPET} FROM messages_fts WHERE messages_fts MATCH ? AND rowid = m.seq) AS snip
         FROM messages m WHERE m.seq = ?`,
        q, r.seq,
      );
      if (d) hits.push({ messageId: d.id, conversationId: d.conversation_id, sentAt: d.sent_at, snippet: parseSnippet(d.snip ?? ''), rank: r.rank });
    }
    return hits;
  }

  /** The most frequent indexed words starting with `prefix` (among the first 256 in order). */
  #completions(prefix: string): string[] {
    if (!this.#vocab) {
      // In the temp schema: a view of the index, held in memory (temp_store = MEMORY), never on disk.
      this.c.handle.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_vocab USING fts5vocab(main, messages_fts, row)');
      this.#vocab = true;
    }
    return this.c.all<{ term: string }>(
      `SELECT term FROM (SELECT term, doc FROM temp.messages_vocab WHERE term >= ? AND term < ? LIMIT 256)
       ORDER BY doc DESC LIMIT ${MAX_COMPLETIONS}`,
      prefix, `${prefix}\u{10FFFF}`,
    ).map((r) => r.term);
  }

  #rankAll(q: string, limit: number): Ranked[] {
    // FTS5 walks the doclists newest-first and stops after the window; rank is computed inside.
    return this.c.all<Ranked>(
      `SELECT seq, rank FROM (
         SELECT rowid AS seq, rank FROM messages_fts WHERE messages_fts MATCH ?
         ORDER BY rowid DESC LIMIT ${RANKING_WINDOW})
       ORDER BY rank LIMIT ?`,
      q, limit,
    );
  }

  #rankIn(q: string, conversationId: string, limit: number): Ranked[] {
    return this.c.all<Ranked>(
      `SELECT seq, rank FROM (
         SELECT f.rowid AS seq, f.rank AS rank FROM messages_fts f JOIN messages m ON m.seq = f.rowid
         WHERE f.messages_fts MATCH ? AND m.conversation_id = ?
         ORDER BY f.rowid DESC LIMIT ${RANKING_WINDOW})
       ORDER BY rank LIMIT ?`,
      q, conversationId, limit,
    );
  }
}
