/**
 * Encodings of group state (v1, kind 0x14) and signed membership changes (kind 0x15). The state
 * encoding is what `stateHash` hashes, so it must have exactly one form per state: members are
 * sorted by the bytes of their UTF-8 user id, strings must be well-formed UTF-8 that re-encodes
 * to the same bytes, flags and roles have one value each, and nothing trails.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { ByteReader, ByteWriter } from './bytes';
import { KEY_LENGTH, PROTOCOL_VERSION, SIGNATURE_LENGTH } from './constants';
import { CryptoError } from './errors';
import { assertIdentityKey } from './identity';
import { GROUP_ID_LENGTH } from './sender-keys';
import { expectKind } from './wire';

export const GroupKind = { state: 0x14, change: 0x15 } as const;

/** Issue #10: team and rota groups of up to 500 people. */
export const MAX_GROUP_MEMBERS = 500;
/** As the directory certificate (protocol/certificate.ts). */
export const MAX_USER_ID_BYTES = 256;
export const MAX_GROUP_NAME_BYTES = 256;

export type GroupRole = 'admin' | 'member';

export interface GroupState {
  readonly groupId: Uint8Array;
  readonly name: string;
  readonly epoch: number;
  /** stateHash of the state this one was derived from (zeros at creation): a hash chain. */
  readonly parentHash: Uint8Array;
  /** Epoch of the last change that removed someone: sender keys of older epochs are refused. */
  readonly senderKeyFloor: number;
  readonly members: ReadonlyMap<string, GroupRole>;
}

export type GroupChange =
  | { readonly type: 'add'; readonly userIds: readonly string[] }
  | { readonly type: 'remove'; readonly userIds: readonly string[] }
  | { readonly type: 'promote'; readonly userId: string }
  | { readonly type: 'demote'; readonly userId: string }
  | { readonly type: 'rename'; readonly name: string }
  | { readonly type: 'leave' };

export interface SignedGroupChange {
  readonly groupId: Uint8Array;
  /** The epoch of the state the change applies to. */
  readonly epoch: number;
  /** stateHash of that state. */
  readonly previousHash: Uint8Array;
  readonly authorUserId: string;
  readonly authorIdentityKey: Uint8Array;
  readonly change: GroupChange;
  /** The encoded record up to the signature. */
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

export type ChangeFields = Omit<SignedGroupChange, 'body' | 'signature'>;

const ChangeType = { add: 1, remove: 2, promote: 3, demote: 4, rename: 5, leave: 6 } as const;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export function serializeGroupState(state: GroupState): Uint8Array {
  const name = encoder.encode(state.name);
  const members = sortedMembers(state.members);
  const length = 2 + GROUP_ID_LENGTH + 4 + KEY_LENGTH + 4 + 2 + name.length + 2 + members.reduce((n, [id]) => n + 3 + id.length, 0);
  const w = new ByteWriter(length).u8(PROTOCOL_VERSION).u8(GroupKind.state);
  w.put(state.groupId).u32(state.epoch).put(state.parentHash).u32(state.senderKeyFloor).sized16(name);
  w.u16(members.length);
  for (const [id, role] of members) w.sized16(id).u8(role === 'admin' ? 1 : 0);
  return w.finish();
}

export function deserializeGroupState(bytes: Uint8Array): GroupState {
  const what = 'group state';
  expectKind(bytes, GroupKind.state, what);
  const r = new ByteReader(bytes, what);
  r.take(2, 'preamble');
  const groupId = r.take(GROUP_ID_LENGTH, 'group id').slice();
  const epoch = r.u32('epoch');
  const parentHash = r.take(KEY_LENGTH, 'parent hash').slice();
  const senderKeyFloor = r.u32('sender key floor');
  const name = readString(r, 1, MAX_GROUP_NAME_BYTES, 'name', what);
  const count = r.u16('member count');
  if (count > MAX_GROUP_MEMBERS) throw new CryptoError('malformed', `${what}: ${count} members (max ${MAX_GROUP_MEMBERS})`);
  const members = new Map<string, GroupRole>();
  let previous: Uint8Array | null = null;
  let admins = 0;
  for (let i = 0; i < count; i++) {
    const raw = readRaw(r, 1, MAX_USER_ID_BYTES, 'user id', what);
    if (previous !== null && compareBytes(previous, raw) >= 0) throw new CryptoError('malformed', `${what}: members out of order`);
    previous = raw;
    const role = r.u8('role');
    if (role > 1) throw new CryptoError('malformed', `${what}: unknown role ${role}`);
    admins += role;
    members.set(utf8(raw, what), role === 1 ? 'admin' : 'member');
  }
  r.end();
  if (senderKeyFloor > epoch) throw new CryptoError('malformed', `${what}: sender key floor above epoch`);
  if (count > 0 && admins === 0) throw new CryptoError('malformed', `${what}: no admin`);
  return { groupId, name, epoch, parentHash, senderKeyFloor, members };
}

export function encodeChangeBody(fields: ChangeFields): Uint8Array {
  const author = encoder.encode(fields.authorUserId);
  const body = encodeChange(fields.change);
  const length = 2 + GROUP_ID_LENGTH + 4 + KEY_LENGTH + 2 + author.length + KEY_LENGTH + body.length;
  return new ByteWriter(length)
    .u8(PROTOCOL_VERSION)
    .u8(GroupKind.change)
    .put(fields.groupId)
    .u32(fields.epoch)
    .put(fields.previousHash)
    .sized16(author)
    .put(fields.authorIdentityKey)
    .put(body)
    .finish();
}

export function parseGroupChange(bytes: Uint8Array): SignedGroupChange {
  const what = 'group change';
  expectKind(bytes, GroupKind.change, what);
  const r = new ByteReader(bytes, what);
  r.take(2, 'preamble');
  const groupId = r.take(GROUP_ID_LENGTH, 'group id').slice();
  const epoch = r.u32('epoch');
  const previousHash = r.take(KEY_LENGTH, 'previous hash').slice();
  const authorUserId = readString(r, 1, MAX_USER_ID_BYTES, 'author', what);
  const authorIdentityKey = assertIdentityKey(r.take(KEY_LENGTH, 'author identity key').slice(), 'author identity key');
  const change = readChange(r, what);
  const body = bytes.slice(0, bytes.length - SIGNATURE_LENGTH);
  const signature = r.take(SIGNATURE_LENGTH, 'signature').slice();
  r.end();
  return { groupId, epoch, previousHash, authorUserId, authorIdentityKey, change, body, signature };
}

/** Members in canonical order: by the bytes of their UTF-8 user id. */
export function sortedMembers(members: ReadonlyMap<string, GroupRole>): [Uint8Array, GroupRole][] {
  return [...members].map(([id, role]): [Uint8Array, GroupRole] => [encoder.encode(id), role]).sort((a, b) => compareBytes(a[0], b[0]));
}

/** User ids in canonical order, as a change lists them. */
export function sortedIds(ids: readonly string[]): string[] {
  return ids.map((id) => encoder.encode(id)).sort(compareBytes).map((raw) => decoder.decode(raw));
}

export function utf8Length(value: string): number {
  return encoder.encode(value).length;
}

function encodeChange(change: GroupChange): Uint8Array {
  const ids = (list: readonly string[]): Uint8Array[] => list.map((id) => encoder.encode(id)).sort(compareBytes);
  switch (change.type) {
    case 'add':
    case 'remove': {
      const raw = ids(change.userIds);
      const w = new ByteWriter(1 + 2 + raw.reduce((n, id) => n + 2 + id.length, 0)).u8(ChangeType[change.type]).u16(raw.length);
      for (const id of raw) w.sized16(id);
      return w.finish();
    }
    case 'promote':
    case 'demote':
    case 'rename': {
      const raw = encoder.encode(change.type === 'rename' ? change.name : change.userId);
      return new ByteWriter(1 + 2 + raw.length).u8(ChangeType[change.type]).sized16(raw).finish();
    }
    case 'leave':
      return Uint8Array.of(ChangeType.leave);
  }
}

function readChange(r: ByteReader, what: string): GroupChange {
  const type = r.u8('change type');
  switch (type) {
    case ChangeType.add:
    case ChangeType.remove: {
      const count = r.u16('user count');
      if (count < 1 || count > MAX_GROUP_MEMBERS) throw new CryptoError('malformed', `${what}: ${count} user ids`);
      const userIds: string[] = [];
      let previous: Uint8Array | null = null;
      for (let i = 0; i < count; i++) {
        const raw = readRaw(r, 1, MAX_USER_ID_BYTES, 'user id', what);
        // Sorted and distinct, so a change has one encoding and names nobody twice.
        if (previous !== null && compareBytes(previous, raw) >= 0) throw new CryptoError('malformed', `${what}: user ids out of order`);
        previous = raw;
        userIds.push(utf8(raw, what));
      }
      return { type: type === ChangeType.add ? 'add' : 'remove', userIds };
    }
    case ChangeType.promote:
    case ChangeType.demote: {
      const userId = readString(r, 1, MAX_USER_ID_BYTES, 'user id', what);
      return { type: type === ChangeType.promote ? 'promote' : 'demote', userId };
    }
    case ChangeType.rename:
      return { type: 'rename', name: readString(r, 1, MAX_GROUP_NAME_BYTES, 'name', what) };
    case ChangeType.leave:
      return { type: 'leave' };
    default:
      throw new CryptoError('malformed', `${what}: unknown change type ${type}`);
  }
}

function readRaw(r: ByteReader, min: number, max: number, field: string, what: string): Uint8Array {
  const length = r.u16(`${field} length`);
  if (length < min || length > max) throw new CryptoError('malformed', `${what}: ${field} must be ${min}..${max} bytes`);
  return r.take(length, field);
}

function readString(r: ByteReader, min: number, max: number, field: string, what: string): string {
  return utf8(readRaw(r, min, max, field, what), what);
}

/** Only well-formed UTF-8 that re-encodes to the same bytes, so equal strings have equal bytes. */
function utf8(raw: Uint8Array, what: string): string {
  let value: string;
  try {
    value = decoder.decode(raw);
  } catch (cause) {
    throw new CryptoError('malformed', `${what}: invalid UTF-8`, { cause });
  }
  if (!equalBytes(encoder.encode(value), raw)) throw new CryptoError('malformed', `${what}: non-canonical UTF-8`);
  return value;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
