import type { SnippetPart } from './types';

/** Markers snippet() puts around matched terms; Unicode private-use code points, never shown. */
export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_END = '\uE001';

const MAX_TERMS = 8;
const MAX_TERM_CHARS = 64;
/** The last word is completed as a prefix from this many characters on; shorter ones match whole words. */
export const MIN_PREFIX_CHARS = 3;
/**
 * A prefix is expanded to at most this many of its most frequent completions. FTS5's own prefix
 * query ("pot"*) merges the full doclists of every matching word before returning anything, which
 * took 100-2,000 ms on a million messages; an OR of a few words is read newest-first and stops
 * as soon as enough matches are found.
 */
export const MAX_COMPLETIONS = 12;

export interface SearchTerms {
  /** Whole words, all required. */
  words: string[];
  /** The word being typed, folded like the index folds it (lower case, no diacritics), or null. */
  prefix: string | null;
}

/**
 * Splits what a clinician typed into words the index can match. Everything but letters and digits
 * is a separator, so no FTS5 syntax (quotes, NEAR, column filters, '-', '*') survives into the
 * query. Returns null when nothing searchable is left.
 */
export function toSearchTerms(input: string): SearchTerms | null {
  const words = input
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TERMS)
    .map((t) => t.slice(0, MAX_TERM_CHARS));
  const last = words[words.length - 1];
  if (last === undefined) return null;
  if ([...last].length < MIN_PREFIX_CHARS) return { words, prefix: null };
  return { words: words.slice(0, -1), prefix: foldLikeIndex(last) };
}

/** unicode61 with remove_diacritics 2: case-folded, combining marks removed. */
export function foldLikeIndex(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFC');
}

/**
 * The FTS5 query: every word quoted and required; the prefix as itself OR one of its completions.
 */
export function toFtsQuery(t: SearchTerms, completions: readonly string[] = []): string {
  const parts = t.words.map(quote);
  if (t.prefix !== null) {
    const alternatives = [...new Set([t.prefix, ...completions])].map(quote);
    parts.push(alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`);
  }
  return parts.join(' AND ');
}

/** FTS5 string literal; doubling '"' is its escape (completions come from the index, not the user). */
function quote(w: string): string {
  return `"${w.replaceAll('"', '""')}"`;
}

/** Splits a snippet() result into plain and highlighted parts; the UI renders them as text. */
export function parseSnippet(s: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let rest = s;
  while (rest.length > 0) {
    const start = rest.indexOf(HIGHLIGHT_START);
    if (start < 0) {
      parts.push({ text: rest, highlight: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), highlight: false });
    const end = rest.indexOf(HIGHLIGHT_END, start + 1);
    const stop = end < 0 ? rest.length : end;
    parts.push({ text: rest.slice(start + 1, stop), highlight: true });
    rest = rest.slice(stop + 1);
  }
  return parts.filter((p) => p.text.length > 0);
}
