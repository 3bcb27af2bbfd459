/**
 * Group membership as a hash chain of signed changes. A group is an id, a name, members with
 * roles and an epoch; every change (add, remove, promote, demote, rename, leave) is signed by the
 * author device's Ed25519 identity key and names the epoch and the hash of the state it applies
 * to. Every member applies the same changes in the order the relay delivers them, refusing any
 * change that does not name its current state exactly, so all members hold the same state; the
 * author of a refused change re-bases it on the new state (`rebase`) and sends it again.
 *
 * The relay cannot add anyone: a change counts only if an admin's certified device signed it
 * for this exact state. What it can still do is withhold or delay changes, or show members
 * different orders (a fork); the hash chain makes a fork visible as `state_mismatch` the moment
 * the two sides exchange a change (see docs/protocol.md section 11).
 */
import { equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { expectBytes, randomFrom, type Rng } from './bytes';
import { KEY_LENGTH } from './constants';
import { CryptoError } from './errors';
import {
  encodeChangeBody,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_NAME_BYTES,
  MAX_USER_ID_BYTES,
  parseGroupChange,
  serializeGroupState,
  sortedIds,
  utf8Length,
  type GroupChange,
  type GroupRole,
  type GroupState,
} from './group-codec';
import { sign, verify, type IdentityKeyPair } from './identity';
import { GROUP_ID_LENGTH } from './sender-keys';

/** Signed before the record, so a change signature can never be taken for a prekey signature. */
const SIGNATURE_CONTEXT = utf8ToBytes('Wardline_v1_GroupChange');
const MAX_EPOCH = 0xffff_ffff;
const LONE_SURROGATE = /\p{Cs}/u;

export interface ChangeAuthor {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
}

/** The caller's directory check: is `identityKey` a certified device of `userId`? */
export type AuthorIsCertified = (userId: string, identityKey: Uint8Array) => boolean;

/** A new group at epoch 0 whose only member, an admin, is its creator. */
export function createGroup(options: { readonly name: string; readonly creator: string }, rng: Rng): GroupState {
  checkString(options.name, MAX_GROUP_NAME_BYTES, 'group name', 'invalid_argument');
  checkString(options.creator, MAX_USER_ID_BYTES, 'creator user id', 'invalid_argument');
  return {
    groupId: randomFrom(rng, GROUP_ID_LENGTH),
    name: options.name,
    epoch: 0,
    parentHash: new Uint8Array(KEY_LENGTH),
    senderKeyFloor: 0,
    members: new Map([[options.creator, 'admin']]),
  };
}

/** SHA-256 of the canonical encoding; it includes the parent's hash, so it commits to history. */
export function stateHash(state: GroupState): Uint8Array {
  expectBytes(state.groupId, GROUP_ID_LENGTH, 'group id');
  return sha256(serializeGroupState(state));
}

/**
 * Signs `change` for `state` as `author`. Refuses what every member would refuse (an author who
 * is not an admin, a change that cannot apply), so a client never sends a change it knows is bad.
 */
export function signChange(state: GroupState, change: GroupChange, author: ChangeAuthor): Uint8Array {
  const canonical = canonicalChange(change);
  const previousHash = stateHash(state);
  transition(state, previousHash, canonical, author.userId);
  const body = encodeChangeBody({
    groupId: state.groupId,
    epoch: state.epoch,
    previousHash,
    authorUserId: author.userId,
    authorIdentityKey: author.identity.publicKey,
    change: canonical,
  });
  return concatBytes(body, sign(author.identity, concatBytes(SIGNATURE_CONTEXT, body)));
}

/**
 * Verifies `signedChange` against `state` and returns the next state, or throws: `malformed`,
 * `state_mismatch` (another group, or this epoch with another history), `stale_epoch`,
 * `not_authorized` (uncertified key, not a member, not an admin), `bad_signature`,
 * `invalid_change`. The caller shows a refused change as a safety notice.
 */
export function applyChange(state: GroupState, signedChange: Uint8Array, authorIsCertified: AuthorIsCertified): GroupState {
  const parsed = parseGroupChange(signedChange);
  if (!equalBytes(parsed.groupId, state.groupId)) throw new CryptoError('state_mismatch', 'change is for another group');
  if (parsed.epoch !== state.epoch) {
    throw new CryptoError('stale_epoch', `change names epoch ${parsed.epoch}, group is at ${state.epoch}`);
  }
  const previousHash = stateHash(state);
  if (!equalBytes(parsed.previousHash, previousHash)) {
    throw new CryptoError('state_mismatch', `change names another state at epoch ${state.epoch}`);
  }
  if (!authorIsCertified(parsed.authorUserId, parsed.authorIdentityKey)) {
    throw new CryptoError('not_authorized', 'change is signed by a key not certified for its author');
  }
  if (!verify(parsed.authorIdentityKey, concatBytes(SIGNATURE_CONTEXT, parsed.body), parsed.signature)) {
    throw new CryptoError('bad_signature', 'change signature does not verify');
  }
  return transition(state, previousHash, parsed.change, parsed.authorUserId);
}

/**
 * Re-signs the author's own change, refused as `stale_epoch`, for `newState`. Parts that the
 * changes in between already made (an add of someone now a member, a remove of someone gone)
 * are dropped; null means nothing is left to do. Throws if the rest can no longer apply.
 */
export function rebase(signedChange: Uint8Array, newState: GroupState, author: ChangeAuthor): Uint8Array | null {
  const parsed = parseGroupChange(signedChange);
  if (parsed.authorUserId !== author.userId || !equalBytes(parsed.authorIdentityKey, author.identity.publicKey)) {
    throw new CryptoError('invalid_argument', 'only the author can re-base a change');
  }
  if (!equalBytes(parsed.groupId, newState.groupId)) throw new CryptoError('state_mismatch', 'change is for another group');
  const remaining = stillToDo(parsed.change, newState, author.userId);
  return remaining === null ? null : signChange(newState, remaining, author);
}

/** True when someone left or was removed: each remaining member makes a new sender key. */
export function needsRotation(previous: GroupState, next: GroupState): boolean {
  for (const userId of previous.members.keys()) if (!next.members.has(userId)) return true;
  return false;
}

/** Whether a sender key created at `epoch` may still be used with `state` (not from before a removal). */
export function acceptsSenderKeyEpoch(state: GroupState, epoch: number): boolean {
  return epoch >= state.senderKeyFloor && epoch <= state.epoch;
}

function transition(state: GroupState, previousHash: Uint8Array, change: GroupChange, author: string): GroupState {
  const authorRole = state.members.get(author);
  if (authorRole === undefined) throw new CryptoError('not_authorized', 'author is not a member');
  if (change.type !== 'leave' && authorRole !== 'admin') throw new CryptoError('not_authorized', 'author is not an admin');
  if (state.epoch >= MAX_EPOCH) throw new CryptoError('invalid_change', 'group epoch exhausted');
  const members = new Map(state.members);
  let name = state.name;
  const refuse = (why: string): never => {
    throw new CryptoError('invalid_change', why);
  };
  switch (change.type) {
    case 'add':
      for (const id of change.userIds) {
        checkString(id, MAX_USER_ID_BYTES, 'user id', 'invalid_change');
        if (members.has(id)) refuse('added user is already a member');
        members.set(id, 'member');
      }
      if (members.size > MAX_GROUP_MEMBERS) refuse(`group would have ${members.size} members (max ${MAX_GROUP_MEMBERS})`);
      break;
    case 'remove':
      for (const id of change.userIds) {
        if (id === author) refuse('an author removes itself with leave');
        if (!members.delete(id)) refuse('removed user is not a member');
      }
      break;
    case 'promote':
      if (members.get(change.userId) !== 'member') refuse('promoted user is not a plain member');
      members.set(change.userId, 'admin');
      break;
    case 'demote':
      if (members.get(change.userId) !== 'admin') refuse('demoted user is not an admin');
      members.set(change.userId, 'member');
      break;
    case 'rename':
      checkString(change.name, MAX_GROUP_NAME_BYTES, 'group name', 'invalid_change');
      name = change.name;
      break;
    case 'leave':
      members.delete(author);
      break;
  }
  // A group with members but no admin could never change again.
  if (members.size > 0 && ![...members.values()].includes('admin' satisfies GroupRole)) refuse('the last admin cannot step down');
  const removed = [...state.members.keys()].some((id) => !members.has(id));
  return {
    groupId: state.groupId,
    name,
    epoch: state.epoch + 1,
    parentHash: previousHash,
    senderKeyFloor: removed ? state.epoch + 1 : state.senderKeyFloor,
    members,
  };
}

function canonicalChange(change: GroupChange): GroupChange {
  if (change.type !== 'add' && change.type !== 'remove') return change;
  if (change.userIds.length < 1 || change.userIds.length > MAX_GROUP_MEMBERS) {
    throw new CryptoError('invalid_change', `a change names 1..${MAX_GROUP_MEMBERS} users`);
  }
  for (const id of change.userIds) checkString(id, MAX_USER_ID_BYTES, 'user id', 'invalid_change');
  const userIds = sortedIds(change.userIds);
  if (new Set(userIds).size !== userIds.length) throw new CryptoError('invalid_change', 'a change names a user twice');
  return { type: change.type, userIds };
}

function stillToDo(change: GroupChange, state: GroupState, author: string): GroupChange | null {
  switch (change.type) {
    case 'add':
    case 'remove': {
      const userIds = change.userIds.filter((id) => state.members.has(id) === (change.type === 'remove'));
      return userIds.length === 0 ? null : { type: change.type, userIds };
    }
    case 'promote':
      return state.members.get(change.userId) === 'admin' ? null : change;
    case 'demote':
      return state.members.get(change.userId) === 'member' ? null : change;
    case 'rename':
      return state.name === change.name ? null : change;
    case 'leave':
      return state.members.has(author) ? change : null;
  }
}

function checkString(value: string, max: number, what: string, code: 'invalid_argument' | 'invalid_change'): void {
  // A lone surrogate would be encoded as U+FFFD, so the signed string would not be the one shown.
  const length = typeof value === 'string' && !LONE_SURROGATE.test(value) ? utf8Length(value) : 0;
  if (length < 1 || length > max) throw new CryptoError(code, `${what} must be 1..${max} bytes of UTF-8`);
}
