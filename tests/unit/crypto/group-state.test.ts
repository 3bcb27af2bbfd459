import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptsSenderKeyEpoch,
  applyChange,
  createGroup,
  CryptoError,
  deserializeGroupState,
  generateIdentityKeyPair,
  isCryptoError,
  MAX_GROUP_MEMBERS,
  needsRotation,
  parseGroupChange,
  rebase,
  serializeGroupState,
  signChange,
  stateHash,
  type ChangeAuthor,
  type GroupChange,
  type GroupState,
  type IdentityKeyPair,
} from '../../../main/core/crypto/index';
import { Kind } from '../../../main/core/crypto/constants';
import { encodeChangeBody, GroupKind, type ChangeFields } from '../../../main/core/crypto/group-codec';
import { expectCryptoError, flip, seededRng } from './helpers';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const snap = (state: GroupState): string => hex(serializeGroupState(state));

/** A directory of users, each with one certified device. */
function world(label: string, users: readonly string[]) {
  const rng = seededRng(label);
  const devices = new Map<string, IdentityKeyPair>(users.map((u) => [u, generateIdentityKeyPair(rng)]));
  const certified = (userId: string, key: Uint8Array): boolean => {
    const device = devices.get(userId);
    return device !== undefined && hex(device.publicKey) === hex(key);
  };
  const as = (userId: string): ChangeAuthor => ({ userId, identity: devices.get(userId) as IdentityKeyPair });
  return { rng, devices, certified, as };
}

/** Signs arbitrary fields, bypassing signChange's checks: what a malicious member or relay could send. */
function forge(fields: ChangeFields, signer: IdentityKeyPair): Uint8Array {
  const body = encodeChangeBody(fields);
  const context = new TextEncoder().encode('Wardline_v1_GroupChange');
  return concatBytes(body, ed25519.sign(concatBytes(context, body), signer.secretKey));
}

/** Alice (admin) created the group and added Bob and Carol; Bob is promoted to admin. */
function ward(label: string) {
  const w = world(label, ['alice', 'bob', 'carol', 'dave', 'erin']);
  const g0 = createGroup({ name: 'Ward 7 nights', creator: 'alice' }, w.rng);
  const g1 = applyChange(g0, signChange(g0, { type: 'add', userIds: ['carol', 'bob'] }, w.as('alice')), w.certified);
  const g2 = applyChange(g1, signChange(g1, { type: 'promote', userId: 'bob' }, w.as('alice')), w.certified);
  return { ...w, g0, g1, g2 };
}

describe('group state', () => {
  it('applies a sequence of changes as a hash chain that survives encoding', () => {
    const { g0, g1, g2, as, certified } = ward('gs-chain');
    expect([g0.epoch, g1.epoch, g2.epoch]).toEqual([0, 1, 2]);
    expect(hex(g1.parentHash)).toBe(hex(stateHash(g0)));
    expect(hex(g2.parentHash)).toBe(hex(stateHash(g1)));
    expect([...g2.members].sort()).toEqual([['alice', 'admin'], ['bob', 'admin'], ['carol', 'member']]);
    const g3 = applyChange(g2, signChange(g2, { type: 'rename', name: 'Ward 7 — nights' }, as('bob')), certified);
    const g4 = applyChange(g3, signChange(g3, { type: 'demote', userId: 'alice' }, as('bob')), certified);
    const g5 = applyChange(g4, signChange(g4, { type: 'leave' }, as('carol')), certified);
    expect(g5.name).toBe('Ward 7 — nights');
    expect([...g5.members]).toEqual([['alice', 'member'], ['bob', 'admin']]);
    for (const state of [g0, g1, g2, g3, g4, g5]) {
      const decoded = deserializeGroupState(serializeGroupState(state));
      expect(hex(stateHash(decoded))).toBe(hex(stateHash(state)));
    }
    expect(needsRotation(g3, g4)).toBe(false);
    expect(needsRotation(g4, g5)).toBe(true);
    expect(g5.senderKeyFloor).toBe(5);
    expect(acceptsSenderKeyEpoch(g5, 4)).toBe(false);
    expect(acceptsSenderKeyEpoch(g5, 5)).toBe(true);
  });

  it('refuses a forged signature and any changed byte, leaving the state as it was', () => {
    const { g2, as, certified } = ward('gs-tamper');
    const change = signChange(g2, { type: 'add', userIds: ['dave'] }, as('bob'));
    const before = snap(g2);
    expectCryptoError(() => applyChange(g2, flip(change, change.length - 1), certified), 'bad_signature');
    for (let i = 0; i < change.length; i++) expect(() => applyChange(g2, flip(change, i, 0x01), certified)).toThrow(CryptoError);
    expect(() => applyChange(g2, change.subarray(0, change.length - 1), certified)).toThrow(CryptoError);
    expect(snap(g2)).toBe(before);
    expect(applyChange(g2, change, certified).members.has('dave')).toBe(true);
  });

  it('refuses changes by a member who is not an admin', () => {
    const { g2, as, certified, devices } = ward('gs-nonadmin');
    expectCryptoError(() => signChange(g2, { type: 'add', userIds: ['dave'] }, as('carol')), 'not_authorized');
    const fields = { groupId: g2.groupId, epoch: g2.epoch, previousHash: stateHash(g2), authorUserId: 'carol' };
    const carolKey = devices.get('carol') as IdentityKeyPair;
    for (const change of [{ type: 'add', userIds: ['dave'] }, { type: 'remove', userIds: ['bob'] }, { type: 'promote', userId: 'carol' }] as const) {
      const forged = forge({ ...fields, authorIdentityKey: carolKey.publicKey, change }, carolKey);
      expectCryptoError(() => applyChange(g2, forged, certified), 'not_authorized');
    }
    // Dave is certified but not a member: he cannot even leave.
    const dave = devices.get('dave') as IdentityKeyPair;
    const daveLeaves = forge({ ...fields, authorUserId: 'dave', authorIdentityKey: dave.publicKey, change: { type: 'leave' } }, dave);
    expectCryptoError(() => applyChange(g2, daveLeaves, certified), 'not_authorized');
  });

  it('refuses a stale or future epoch and a wrong previous hash', () => {
    const { g1, g2, as, certified, devices } = ward('gs-epoch');
    const stale = signChange(g1, { type: 'add', userIds: ['dave'] }, as('alice'));
    expectCryptoError(() => applyChange(g2, stale, certified), 'stale_epoch');
    const alice = devices.get('alice') as IdentityKeyPair;
    const base = { groupId: g2.groupId, authorUserId: 'alice', authorIdentityKey: alice.publicKey, change: { type: 'rename', name: 'x' } as const };
    const future = forge({ ...base, epoch: g2.epoch + 1, previousHash: stateHash(g2) }, alice);
    expectCryptoError(() => applyChange(g2, future, certified), 'stale_epoch');
    const wrongHash = forge({ ...base, epoch: g2.epoch, previousHash: stateHash(g1) }, alice);
    expectCryptoError(() => applyChange(g2, wrongHash, certified), 'state_mismatch');
    const otherGroup = forge({ ...base, groupId: new Uint8Array(32), epoch: g2.epoch, previousHash: stateHash(g2) }, alice);
    expectCryptoError(() => applyChange(g2, otherGroup, certified), 'state_mismatch');
  });

  it('refuses a change the relay invented: unsigned, or signed by a key not certified for the author', () => {
    const { g2, certified, rng, devices } = ward('gs-relay');
    const relayKey = generateIdentityKeyPair(rng);
    const fields = { groupId: g2.groupId, epoch: g2.epoch, previousHash: stateHash(g2), change: { type: 'add', userIds: ['eve'] } as const };
    // Claiming to be Alice with the relay's own key.
    const asAlice = forge({ ...fields, authorUserId: 'alice', authorIdentityKey: relayKey.publicKey }, relayKey);
    expectCryptoError(() => applyChange(g2, asAlice, certified), 'not_authorized');
    // Signed under its own (uncertified) name.
    const asRelay = forge({ ...fields, authorUserId: 'relay', authorIdentityKey: relayKey.publicKey }, relayKey);
    expectCryptoError(() => applyChange(g2, asRelay, certified), 'not_authorized');
    // Alice's certified key named as author, but no valid signature: zeroed, or missing.
    const alice = devices.get('alice') as IdentityKeyPair;
    const real = forge({ ...fields, authorUserId: 'alice', authorIdentityKey: alice.publicKey }, alice);
    expect(applyChange(g2, real, certified).members.has('eve')).toBe(true);
    const unsigned = concatBytes(real.subarray(0, real.length - 64), new Uint8Array(64));
    expectCryptoError(() => applyChange(g2, unsigned, certified), 'bad_signature');
    expectCryptoError(() => applyChange(g2, real.subarray(0, real.length - 64), certified), 'malformed');
  });

  it('refuses changes that cannot apply', () => {
    const { g2, as } = ward('gs-invalid');
    const bad: GroupChange[] = [
      { type: 'add', userIds: ['carol'] },
      { type: 'add', userIds: ['dave', 'dave'] },
      { type: 'add', userIds: [] },
      { type: 'add', userIds: [''] },
      { type: 'remove', userIds: ['dave'] },
      { type: 'remove', userIds: ['alice'] },
      { type: 'promote', userId: 'bob' },
      { type: 'demote', userId: 'carol' },
      { type: 'rename', name: '' },
      { type: 'rename', name: 'x'.repeat(257) },
    ];
    for (const change of bad) expectCryptoError(() => signChange(g2, change, as('alice')), 'invalid_change');
  });

  it('keeps an admin: the last admin can neither leave nor step down while others remain', () => {
    const { g1, as } = ward('gs-last-admin');
    expectCryptoError(() => signChange(g1, { type: 'leave' }, as('alice')), 'invalid_change');
    expectCryptoError(() => signChange(g1, { type: 'demote', userId: 'alice' }, as('alice')), 'invalid_change');
  });

  it('converges when two admins change the same epoch: relay order, the later one re-based', () => {
    const { g2, as, certified } = ward('gs-concurrent');
    const aliceAdds = signChange(g2, { type: 'add', userIds: ['dave', 'erin'] }, as('alice'));
    const bobRemoves = signChange(g2, { type: 'remove', userIds: ['carol'] }, as('bob'));
    // Every member (here: Alice's, Bob's and Carol's copies) sees the relay's order: Bob first.
    const replicas = [g2, g2, g2].map((s) => applyChange(s, bobRemoves, certified));
    for (const s of replicas) expectCryptoError(() => applyChange(s, aliceAdds, certified), 'stale_epoch');
    const rebased = rebase(aliceAdds, replicas[0] as GroupState, as('alice'));
    expect(rebased).not.toBeNull();
    const finals = replicas.map((s) => applyChange(s, rebased as Uint8Array, certified));
    expect(new Set(finals.map((s) => hex(stateHash(s)))).size).toBe(1);
    expect([...(finals[0] as GroupState).members.keys()].sort()).toEqual(['alice', 'bob', 'dave', 'erin']);
  });

  it('re-basing drops what is already done, returns null when nothing is left, and only for the author', () => {
    const { g2, as, certified } = ward('gs-rebase');
    const aliceAdds = signChange(g2, { type: 'add', userIds: ['dave', 'erin'] }, as('alice'));
    const bobAdds = signChange(g2, { type: 'add', userIds: ['dave'] }, as('bob'));
    const g3 = applyChange(g2, bobAdds, certified);
    const rest = rebase(aliceAdds, g3, as('alice')) as Uint8Array;
    expect(parseGroupChange(rest).change).toEqual({ type: 'add', userIds: ['erin'] });
    const g4 = applyChange(g3, rest, certified);
    expect(rebase(aliceAdds, g4, as('alice'))).toBeNull();
    expectCryptoError(() => rebase(aliceAdds, g4, as('bob')), 'invalid_argument');
    // Bob demoted Alice meanwhile: her re-based change is refused before it is sent.
    const aliceRenames = signChange(g4, { type: 'rename', name: 'Ward 8' }, as('alice'));
    const g5 = applyChange(g4, signChange(g4, { type: 'demote', userId: 'alice' }, as('bob')), certified);
    expectCryptoError(() => rebase(aliceRenames, g5, as('alice')), 'not_authorized');
  });

  it('property: any relay order of concurrent admin changes, with re-basing, leaves every member in the same state', () => {
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const { g2, as, certified } = ward('gs-property');
    const admins = ['alice', 'bob'];
    const op = fc.oneof(
      fc.record({ type: fc.constant('add' as const), userIds: fc.uniqueArray(fc.constantFrom(...users), { minLength: 1, maxLength: 3 }) }),
      fc.record({ type: fc.constant('remove' as const), userIds: fc.constant(['carol']) }),
      fc.record({ type: fc.constant('rename' as const), name: fc.constantFrom('Ward 7', 'Ward 8', 'ICU') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...admins), op), { minLength: 1, maxLength: 6 }), fc.infiniteStream(fc.nat()), (intents, picks) => {
        let replicas = [g2, g2, g2];
        let queue: { author: string; bytes: Uint8Array }[] = [];
        for (const [author, change] of intents) {
          try {
            queue.push({ author, bytes: signChange(g2, change, as(author)) });
          } catch (error) {
            if (!isCryptoError(error, 'invalid_change')) throw error;
          }
        }
        let steps = 0;
        while (queue.length > 0 && steps++ < 100) {
          // The relay picks any pending change next; every member applies it in that order.
          const index = (picks.next().value as number) % queue.length;
          const { author, bytes } = queue[index] as { author: string; bytes: Uint8Array };
          queue = queue.filter((_, i) => i !== index);
          const outcomes = replicas.map((s) => {
            try {
              return applyChange(s, bytes, certified);
            } catch (error) {
              if (!isCryptoError(error)) throw error;
              return error.code;
            }
          });
          const first = outcomes[0];
          if (typeof first === 'string') {
            expect(outcomes.every((o) => o === first)).toBe(true);
            if (first !== 'stale_epoch') continue;
            let rebased: Uint8Array | null = null;
            try {
              rebased = rebase(bytes, replicas[0] as GroupState, as(author));
            } catch (error) {
              if (!isCryptoError(error, 'invalid_change')) throw error;
            }
            if (rebased !== null) queue.push({ author, bytes: rebased });
          } else {
            replicas = outcomes as GroupState[];
          }
        }
        expect(queue.length).toBe(0);
        expect(new Set(replicas.map((s) => hex(stateHash(s)))).size).toBe(1);
      }),
      { numRuns: 40 },
    );
  });

  it('a 500-member group encodes, decodes and applies changes; a 501st member is refused', () => {
    const { g0, as, certified, devices } = ward('gs-500');
    const others = Array.from({ length: MAX_GROUP_MEMBERS - 1 }, (_, i) => `staff-${String(i).padStart(4, '0')}@hospital.example`);
    const full = applyChange(g0, signChange(g0, { type: 'add', userIds: others }, as('alice')), certified);
    expect(full.members.size).toBe(MAX_GROUP_MEMBERS);
    const decoded = deserializeGroupState(serializeGroupState(full));
    expect(hex(stateHash(decoded))).toBe(hex(stateHash(full)));
    const renamed = applyChange(decoded, signChange(decoded, { type: 'rename', name: 'All theatre staff' }, as('alice')), certified);
    expect(renamed.members.size).toBe(MAX_GROUP_MEMBERS);
    expectCryptoError(() => signChange(full, { type: 'add', userIds: ['bob'] }, as('alice')), 'invalid_change');
    const alice = devices.get('alice') as IdentityKeyPair;
    const forged = forge(
      { groupId: full.groupId, epoch: full.epoch, previousHash: stateHash(full), authorUserId: 'alice', authorIdentityKey: alice.publicKey, change: { type: 'add', userIds: ['bob'] } },
      alice,
    );
    expectCryptoError(() => applyChange(full, forged, certified), 'invalid_change');
    const tooMany = [...others, 'one-too-many'];
    expectCryptoError(() => signChange(g0, { type: 'add', userIds: tooMany }, as('alice')), 'invalid_change');
  });

  it('refuses a state record with members out of canonical order, and parsers throw only CryptoError', () => {
    const { g2, as } = ward('gs-codec');
    const bytes = serializeGroupState(g2);
    // Members are the last entries: alice (5+1), bob (3+1), carol; swap alice and bob.
    const tail = bytes.length - (2 + 5 + 1) - (2 + 3 + 1) - (2 + 5 + 1);
    const swapped = concatBytes(bytes.subarray(0, tail), bytes.subarray(tail + 8, tail + 14), bytes.subarray(tail, tail + 8), bytes.subarray(tail + 14));
    expect(swapped.length).toBe(bytes.length);
    expectCryptoError(() => deserializeGroupState(swapped), 'malformed');
    const change = signChange(g2, { type: 'remove', userIds: ['carol'] }, as('alice'));
    fc.assert(
      fc.property(fc.constantFrom(bytes, change), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), fc.nat(), (base, edits, cut) => {
        const mutated = edits.reduce((acc, [i, m]) => flip(acc, i % acc.length, m), base).subarray(0, base.length - (cut % 3));
        for (const parse of [deserializeGroupState, parseGroupChange]) {
          try {
            parse(mutated);
          } catch (error) {
            if (!isCryptoError(error)) throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
    const pairwise = new Set<number>(Object.values(Kind));
    for (const kind of Object.values(GroupKind)) expect(pairwise.has(kind)).toBe(false);
  });
});
