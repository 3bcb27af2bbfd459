import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../main/core/vault/attempt-state';
import type { CounterState } from '../../../main/core/vault/attempt-state';
import { canonicalJson } from '../../../main/core/vault/key-wrap';

const state = (o: Partial<CounterState> = {}): CounterState => ({ seq: 5, failed: 1, max: 10, erased: false, wrappedKeyDigest: 'k1', ...o });

describe('reconciling profile.json with the attempt ledger', () => {
  it('accepts identical copies and refuses copies that disagree at the same sequence number', () => {
    expect(reconcile(state(), state())).toEqual({ kind: 'consistent' });
    expect(reconcile(state({ failed: 0 }), state()).kind).toBe('tampered');
  });

  it('an erasure in either copy wins', () => {
    expect(reconcile(state({ erased: true }), state())).toEqual({ kind: 'erased', repairProfile: false });
    expect(reconcile(state(), state({ seq: 9, erased: true, wrappedKeyDigest: null }))).toEqual({ kind: 'erased', repairProfile: true });
  });

  it('never yields fewer failed attempts than the newer copy holds', () => {
    const arb = fc.record({ seq: fc.integer({ min: 1, max: 20 }), failed: fc.integer({ min: 0, max: 9 }), max: fc.constant(10), erased: fc.constant(false), wrappedKeyDigest: fc.constantFrom('k1', 'k2') });
    fc.assert(fc.property(arb, arb, (p, l) => {
      const r = reconcile(p, l);
      const newer = l.seq > p.seq ? l : p;
      if (r.kind === 'profile_behind') expect(r.counter.failed).toBe(newer.failed);
      if (r.kind === 'ledger_behind') expect(p).toBe(newer);
      if (r.kind === 'consistent') expect(p).toEqual(l);
    }));
  });

  it('flags a gap of more than one write as a restored copy, one write as an interrupted write', () => {
    expect(reconcile(state({ seq: 4 }), state({ seq: 5 }))).toMatchObject({ kind: 'profile_behind', restored: false });
    expect(reconcile(state({ seq: 2 }), state({ seq: 5 }))).toMatchObject({ kind: 'profile_behind', restored: true });
    expect(reconcile(state({ seq: 7 }), state({ seq: 5 }))).toMatchObject({ kind: 'ledger_behind', restored: true });
    expect(reconcile(state({ seq: 4, wrappedKeyDigest: 'old' }), state({ seq: 5 })).kind).toBe('tampered');
    expect(reconcile(state(), null).kind).toBe('tampered');
  });

  it('MACs a canonical encoding: key order and whitespace do not matter', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
      const reversed = Object.fromEntries(Object.entries(o).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(JSON.parse(JSON.stringify(o, null, 3))));
    }));
  });
});
