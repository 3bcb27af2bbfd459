import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLikeIndex, MAX_COMPLETIONS, parseSnippet, toFtsQuery, toSearchTerms } from '../../../main/core/store/fts-query';
import { RANKING_WINDOW } from '../../../main/core/store/repos/search';
import { incoming, openTempStore, withConversation } from './helpers';

describe('message search', () => {
  it('ranks with bm25 and returns highlighted snippets as plain parts', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { id: 'weak', body: 'Handover notes: bed 4 stable, bed 7 needs potassium recheck later today after the ward round' }));
    store.messages.insert(incoming(c, { id: 'strong', body: 'Potassium potassium: recheck potassium now' }));
    store.messages.insert(incoming(c, { id: 'none', body: 'nothing relevant' }));
    const hits = store.search.messages('potassium');
    expect(hits.map((h) => h.messageId)).toEqual(['strong', 'weak']);
    expect(hits[0]!.rank).toBeLessThan(hits[1]!.rank);
    expect(hits[1]!.snippet.filter((p) => p.highlight).map((p) => p.text)).toEqual(['potassium']);
    expect(hits[1]!.snippet.map((p) => p.text).join('')).toContain('needs potassium recheck');
  });

  it('matches the last term as a prefix (search while typing), ignores case and accents', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { id: 'm', body: 'Patient transferred to Cardiología' }));
    expect(store.search.messages('cardiolog').map((h) => h.messageId)).toEqual(['m']);
    expect(store.search.messages('PATIENT cardiologia').map((h) => h.messageId)).toEqual(['m']);
    expect(store.search.messages('transf patient')).toEqual([]); // only the last term is a prefix
    expect(store.search.messages('pa')).toEqual([]); // and only from 3 characters
    expect(store.search.messages('CARD').map((h) => h.messageId)).toEqual(['m']);
  });

  it('filters by conversation and forgets deleted messages', () => {
    const { store } = openTempStore();
    withConversation(store, 'a');
    withConversation(store, 'b');
    store.messages.insert(incoming('a', { id: 'ma', body: 'sepsis screen' }));
    store.messages.insert(incoming('b', { id: 'mb', body: 'sepsis bundle' }));
    expect(store.search.messages('sepsis', { conversationId: 'b' }).map((h) => h.messageId)).toEqual(['mb']);
    store.messages.remove('mb');
    expect(store.search.messages('sepsis').map((h) => h.messageId)).toEqual(['ma']);
  });

  it('never fails on arbitrary typed input: FTS5 syntax cannot be injected', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    store.messages.insert(incoming(c, { body: 'NEAR AND OR NOT "quoted" body:x col*' }));
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (q) => {
      expect(Array.isArray(store.search.messages(q))).toBe(true);
    }), { numRuns: 300 });
    for (const q of ['"', 'body:NEAR', 'a OR', '(((', '-x', '*', 'NEAR(a b)', '^x']) {
      expect(() => store.search.messages(q)).not.toThrow();
    }
  });

  it('quotes every word, drops operators, and completes the last word from the index', () => {
    const t = toSearchTerms('  bed-4 "AND" Xray* ');
    expect(t).toEqual({ words: ['bed', '4', 'AND'], prefix: 'xray' });
    expect(toFtsQuery(t!)).toBe('"bed" AND "4" AND "AND" AND "xray"');
    expect(toFtsQuery(t!, ['xrays', 'xray'])).toBe('"bed" AND "4" AND "AND" AND ("xray" OR "xrays")');
    expect(toSearchTerms('ab')).toEqual({ words: ['ab'], prefix: null });
    expect(toSearchTerms('?!')).toBeNull();
    expect(foldLikeIndex('Cardiología')).toBe('cardiologia');
  });

  it('expands a prefix to its most frequent completions only', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    const words = Array.from({ length: MAX_COMPLETIONS + 5 }, (_, i) => `pot${String.fromCharCode(97 + i)}`);
    // potassium is the most frequent pot* word, the others appear once each
    store.messages.insertMany([
      ...words.map((w, i) => incoming(c, { id: `w${i}`, body: w })),
      ...Array.from({ length: 5 }, (_, i) => incoming(c, { id: `k${i}`, body: 'potassium low' })),
    ]);
    const hits = store.search.messages('pot', { limit: 100 }).map((h) => h.messageId);
    expect(hits).toEqual(expect.arrayContaining(['k0', 'k1', 'k2', 'k3', 'k4']));
    expect(hits.length).toBeLessThanOrEqual(5 + MAX_COMPLETIONS);
    expect(store.search.messages('potq').map((h) => h.messageId)).toEqual(['w16']);
  });

  it('splits snippets at the markers', () => {
    expect(parseSnippet('a \uE000b\uE001 c')).toEqual([
      { text: 'a ', highlight: false }, { text: 'b', highlight: true }, { text: ' c', highlight: false },
    ]);
  });
});

describe('search ranking window', () => {
  it('ranks only the most recent RANKING_WINDOW matches; a narrower query still finds older ones', () => {
    const { store } = openTempStore();
    const c = withConversation(store);
    const old = incoming(c, { id: 'old', body: 'rota rota rota rota rota swap', receivedAt: 1 });
    const recent = Array.from({ length: RANKING_WINDOW }, (_, i) => incoming(c, { id: `r${i}`, body: `rota for week ${i} and more words here`, receivedAt: 10 + i }));
    store.messages.insertMany([old, ...recent]);
    const hits = store.search.messages('rota', { limit: 5 });
    expect(hits).toHaveLength(5);
    expect(hits.map((h) => h.messageId)).not.toContain('old');
    expect(store.search.messages('rota swap').map((h) => h.messageId)).toEqual(['old']);
    expect(store.search.messages('rota', { conversationId: c, limit: 5 }).map((h) => h.messageId)).not.toContain('old');
  });
});
