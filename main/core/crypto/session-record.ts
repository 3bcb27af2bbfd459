/**
 * All the sessions kept with one remote device: the current one, and up to
 * MAX_PREVIOUS_SESSIONS earlier ones, newest first. Two devices that start a session with each
 * other at the same moment each accept the other's initial message and move to it, while
 * messages already sealed in their own session are still on the way; keeping the earlier
 * session lets those decrypt instead of being lost (Signal keeps "previous states" for the same
 * reason). A message that decrypts in an earlier session makes it current again, so both sides
 * settle on one session with the next exchange.
 *
 * Encoding (v1, kind 0x07): 01 07 | u8 count (1..1+MAX) | (u32 length | session record) x count,
 * current first. A bare session record (kind 0x04, what earlier versions stored) reads as a
 * record with no previous sessions.
 */
import { ByteReader, ByteWriter } from './bytes';
import { Kind, PROTOCOL_VERSION } from './constants';
import { CryptoError, isCryptoError } from './errors';
import type { DeviceKeys } from './device-keys';
import { acceptInitialMessage, type AcceptedMessage } from './accept';
import { decryptMessage, type Session } from './session';
import { deserializeSession, serializeSession } from './session-codec';
import { equalBytes } from '@noble/curves/utils.js';
import { parseInitialMessage } from './wire';

export const MAX_PREVIOUS_SESSIONS = 4;
const WHAT = 'session record set';
const MAX_SESSION_BYTES = 1 << 24;

export interface SessionRecord {
  readonly current: Session;
  /** Newest first, at most MAX_PREVIOUS_SESSIONS. */
  readonly previous: readonly Session[];
}

export function serializeSessionRecord(record: SessionRecord): Uint8Array {
  const parts = [record.current, ...record.previous].map(serializeSession);
  const w = new ByteWriter(3 + parts.reduce((n, p) => n + 4 + p.length, 0)).u8(PROTOCOL_VERSION).u8(Kind.sessionRecord).u8(parts.length);
  for (const p of parts) w.sized32(p);
  return w.finish();
}

export function deserializeSessionRecord(bytes: Uint8Array): SessionRecord {
  if (bytes.length >= 2 && bytes[1] === Kind.session) return { current: deserializeSession(bytes), previous: [] };
  const r = new ByteReader(bytes, WHAT);
  if (r.u8('version') !== PROTOCOL_VERSION) throw new CryptoError('unsupported_version', `${WHAT}: unknown version`);
  if (r.u8('kind') !== Kind.sessionRecord) throw new CryptoError('malformed', `${WHAT}: not a session record set`);
  const count = r.u8('count');
  if (count < 1 || count > 1 + MAX_PREVIOUS_SESSIONS) throw new CryptoError('malformed', `${WHAT}: ${count} sessions`);
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) sessions.push(deserializeSession(r.sized32(1, MAX_SESSION_BYTES, 'session')));
  r.end();
  const [current, ...previous] = sessions as [Session, ...Session[]];
  return { current, previous };
}

/** `session` becomes current; the one it replaces (if another) is kept as the newest previous. */
export function promote(record: SessionRecord | null, session: Session): SessionRecord {
  if (!record) return { current: session, previous: [] };
  const same = (s: Session) => equalBytes(s.baseKey, session.baseKey);
  const older = [record.current, ...record.previous].filter((s) => !same(s));
  return { current: session, previous: older.slice(0, MAX_PREVIOUS_SESSIONS) };
}

/**
 * Decrypts a ratchet message in the current session or, failing that, in the newest earlier
 * one that opens it (which then becomes current). Pure; on failure the current session's error
 * is thrown and nothing changes.
 */
export function decryptWithRecord(record: SessionRecord, message: Uint8Array): { record: SessionRecord; plaintext: Uint8Array } {
  try {
    const out = decryptMessage(record.current, message);
    return { record: { ...record, current: out.session }, plaintext: out.plaintext };
  } catch (first) {
    if (!isCryptoError(first) || first.code !== 'decrypt_failed') throw first;
    for (const earlier of record.previous) {
      try {
        const out = decryptMessage(earlier, message);
        return { record: promote(record, out.session), plaintext: out.plaintext };
      } catch {
        // not this one either
      }
    }
    throw first;
  }
}

/**
 * Opens an initial message: in the session its set-up already made (current or earlier: the
 * initiator repeats the set-up until it hears back), or as a new session that becomes current
 * while the one it replaces is kept.
 */
export function acceptIntoRecord(
  device: DeviceKeys,
  message: Uint8Array,
  expectedRemoteIdentity: Uint8Array,
  record: SessionRecord | null,
): Omit<AcceptedMessage, 'session'> & { record: SessionRecord } {
  const initial = parseInitialMessage(message);
  const known = record ? [record.current, ...record.previous].find((s) => equalBytes(s.baseKey, initial.baseKey)) : undefined;
  const accepted = acceptInitialMessage(device, message, expectedRemoteIdentity, known);
  const next = known && equalBytes(known.baseKey, record!.current.baseKey) ? { ...record!, current: accepted.session } : promote(record, accepted.session);
  return { plaintext: accepted.plaintext, deviceKeys: accepted.deviceKeys, isNewSession: accepted.isNewSession, record: next };
}
