/**
 * bench:store's deterministic chat-like workload. Conversations are busy in bursts (a run
 * continues with p=0.8, otherwise a Zipf-chosen conversation takes over), message ids are
 * time-ordered (as the store README asks), bodies are 5-24 words from a Zipf vocabulary.
 * `roundRobin` spreads consecutive messages over all conversations instead: the worst case for
 * index locality.
 */
import type { NewMessage } from '../main/core/store';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'sa', 'vel', 'di', 'pra', 'nu', 'ost', 'em', 'ix', 'qua', 'bel', 'cor'];
const CLINICAL = ['patient', 'bed', 'ward', 'potassium', 'sodium', 'review', 'handover', 'sepsis', 'bloods', 'xray', 'discharge', 'theatre', 'obs', 'stable', 'pain', 'fever'];
const VOCAB: string[] = (() => {
  const r = rng(7);
  const words = new Set<string>(CLINICAL);
  while (words.size < 20_000) {
    let w = '';
    for (let n = 2 + Math.floor(r() * 3); n > 0; n--) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
})();
// Zipf(1) over the vocabulary: a few words are everywhere, most are rare, like real chat.
const ZIPF_CDF: number[] = (() => {
  let sum = 0;
  const cdf = VOCAB.map((_, r) => (sum += 1 / (r + 1)));
  return cdf.map((c) => c / sum);
})();
function zipfWord(r: () => number): string {
  const x = r();
  let lo = 0;
  let hi = ZIPF_CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ZIPF_CDF[mid] ?? 1) < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo] ?? 'ward';
}

/** Search terms like a clinician's: one or two words of middling frequency, sometimes a prefix. */
export function searchQueries(n: number): string[] {
  const r = rng(99);
  const pick = () => VOCAB[20 + Math.floor(r() * 4_000)] ?? 'ward';
  return Array.from({ length: n }, () => {
    const q = r() < 0.5 ? pick() : `${pick()} ${pick()}`;
    return r() < 0.3 ? q.slice(0, Math.max(3, q.length - 2)) : q;
  });
}

export interface WorkloadOptions {
  conversations: number;
  roundRobin: boolean;
  /** sentAt of message 0; message i is i * stepMs later. */
  baseTime: number;
  stepMs: number;
}

export function chatWorkload(o: WorkloadOptions): { batchOf(start: number, count: number, r: () => number): NewMessage[]; searchQueries: typeof searchQueries } {
  let current = 0;
  const conversationFor = (i: number, r: () => number): number => {
    if (o.roundRobin) return i % o.conversations;
    if (r() > 0.8) current = Math.min(o.conversations - 1, Math.floor(Math.exp(r() * Math.log(o.conversations))));
    return current;
  };
  const batchOf = (start: number, count: number, r: () => number): NewMessage[] => {
    const out: NewMessage[] = [];
    for (let i = start; i < start + count; i++) {
      const id = `m${String(i).padStart(10, '0')}`;
      const words: string[] = [];
      for (let n = 5 + Math.floor(r() * 20); n > 0; n--) words.push(zipfWord(r));
      const incoming = r() < 0.6;
      const t = o.baseTime + i * o.stepMs;
      out.push({
        id, conversationId: `c${conversationFor(i, r)}`, direction: incoming ? 'in' : 'out',
        senderUserId: incoming ? `u${i % 97}` : 'me', senderDeviceId: 'd1', senderMessageId: id,
        body: words.join(' '), status: incoming ? 'received' : 'delivered', sentAt: t, receivedAt: incoming ? t + 50 : null,
      });
    }
    return out;
  };
  return { batchOf, searchQueries };
}
