/**
 * Reconciling the two authenticated copies of a profile's attempt counter: profile.json and the
 * attempt ledger. Both carry `seq`, bumped on every write. Writes that count an attempt, reset
 * it or erase go to the ledger first; a PIN change goes to profile.json first. So an interrupted
 * write leaves one copy exactly one step ahead, and the newer copy is always the safe one to keep:
 * it never has fewer failed attempts than reality. A restored older copy is handled the same way
 * (the newer counter wins) and reported, except when it carries a different wrapped key: that is a
 * profile.json from before a PIN change, and accepting it would revive a PIN the clinician
 * replaced, so it is refused as tampering.
 */
export interface CounterState {
  seq: number;
  failed: number;
  max: number;
  erased: boolean;
  wrappedKeyDigest: string | null;
}

export type Reconciled =
  | { kind: 'consistent' }
  | { kind: 'erased'; repairProfile: boolean }
  /** profile.json is behind: take the ledger's counter and rewrite profile.json. */
  | { kind: 'profile_behind'; counter: CounterState; restored: boolean }
  /** The ledger is behind: rewrite it from profile.json. */
  | { kind: 'ledger_behind'; restored: boolean }
  | { kind: 'tampered'; reason: string };

export function reconcile(profile: CounterState, ledger: CounterState | null): Reconciled {
  if (profile.erased) return { kind: 'erased', repairProfile: false };
  if (ledger?.erased) return { kind: 'erased', repairProfile: true };
  if (!ledger) return { kind: 'tampered', reason: 'the attempt ledger for this profile is missing' };
  if (ledger.seq === profile.seq) {
    const same = ledger.failed === profile.failed && ledger.max === profile.max && ledger.wrappedKeyDigest === profile.wrappedKeyDigest;
    return same ? { kind: 'consistent' } : { kind: 'tampered', reason: 'profile.json and the attempt ledger disagree' };
  }
  if (ledger.seq > profile.seq) {
    if (ledger.wrappedKeyDigest !== profile.wrappedKeyDigest) {
      return { kind: 'tampered', reason: 'profile.json is an older copy from before a PIN change' };
    }
    return { kind: 'profile_behind', counter: ledger, restored: ledger.seq - profile.seq > 1 };
  }
  return { kind: 'ledger_behind', restored: profile.seq - ledger.seq > 1 };
}
