/**
 * Users and their one-time enrolment codes. Codes are stored only as SHA-256 hashes; a code has
 * 100 random bits, so hashing without a salt is enough to make a stolen database useless for
 * enrolling.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { normaliseEnrolmentCode } from '../../protocol/relay';
import type { Db } from './database';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  createdAt: number;
  disabledAt: number | null;
}

export type CodeState = 'ok' | 'invalid' | 'expired' | 'used' | 'user_disabled';

// Crockford-style base32 without I, L, O, U: nothing a person can misread when typing it in.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class UserRepository {
  constructor(private readonly db: Db) {}

  create(username: string, displayName: string, now: number): UserRow {
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO users (id, username, display_name, created_at) VALUES (?, ?, ?, ?)')
      .run(id, username, displayName, now);
    return { id, username, displayName, createdAt: now, disabledAt: null };
  }

  byUsername(username: string): UserRow | undefined {
    return this.db.prepare(`${SELECT_USER} WHERE username = ?`).get(username) as UserRow | undefined;
  }

  byId(id: string): UserRow | undefined {
    return this.db.prepare(`${SELECT_USER} WHERE id = ?`).get(id) as UserRow | undefined;
  }

  list(): (UserRow & { activeDevices: number })[] {
    return this.db
      .prepare(
        `SELECT u.id, u.username, u.display_name AS displayName, u.created_at AS createdAt, u.disabled_at AS disabledAt,
                (SELECT count(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL) AS activeDevices
         FROM users u ORDER BY u.username`,
      )
      .all() as (UserRow & { activeDevices: number })[];
  }

  /** Case-insensitive substring match on username or display name; disabled users are hidden. */
  search(query: string, limit: number): UserRow[] {
    const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare(
        `${SELECT_USER} WHERE disabled_at IS NULL
           AND (lower(username) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')
         ORDER BY display_name, username LIMIT ?`,
      )
      .all(pattern, pattern, limit) as UserRow[];
  }

  setDisabled(userId: string, disabledAt: number | null): void {
    this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabledAt, userId);
    if (disabledAt !== null) {
      // Outstanding codes of a disabled user must not enrol anything later.
      this.db.prepare('UPDATE enrolment_codes SET expires_at = min(expires_at, ?) WHERE user_id = ? AND used_at IS NULL').run(disabledAt, userId);
    }
  }

  /** Issues a one-time code: 20 base32 characters (100 bits), shown in groups of four. */
  issueCode(userId: string, now: number, ttlMs: number): { code: string; expiresAt: number } {
    let raw = '';
    for (let i = 0; i < 20; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const expiresAt = now + ttlMs;
    this.db
      .prepare('INSERT INTO enrolment_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashCode(raw), userId, now, expiresAt);
    return { code: raw.match(/.{4}/g)?.join('-') ?? raw, expiresAt };
  }

  /** Checks a code; callers run this inside the enrolment transaction and then markCodeUsed. */
  checkCode(code: string, now: number): { state: CodeState; user?: UserRow; codeHash: Buffer } {
    const codeHash = hashCode(normaliseEnrolmentCode(code));
    const row = this.db
      .prepare('SELECT user_id AS userId, expires_at AS expiresAt, used_at AS usedAt FROM enrolment_codes WHERE code_hash = ?')
      .get(codeHash) as { userId: string; expiresAt: number; usedAt: number | null } | undefined;
    if (!row) return { state: 'invalid', codeHash };
    if (row.usedAt !== null) return { state: 'used', codeHash };
    if (row.expiresAt <= now) return { state: 'expired', codeHash };
    const user = this.byId(row.userId);
    if (!user || user.disabledAt !== null) return { state: 'user_disabled', codeHash };
    return { state: 'ok', user, codeHash };
  }

  markCodeUsed(codeHash: Buffer, deviceId: string, now: number): void {
    const result = this.db
      .prepare('UPDATE enrolment_codes SET used_at = ?, device_id = ? WHERE code_hash = ? AND used_at IS NULL')
      .run(now, deviceId, codeHash);
    if (result.changes !== 1) throw new Error('enrolment code already used');
  }

  /** Codes that expired long ago are kept a while so a late attempt hears "expired", then dropped. */
  deleteStaleCodes(before: number): number {
    return this.db.prepare('DELETE FROM enrolment_codes WHERE expires_at < ?').run(before).changes;
  }
}

const SELECT_USER =
  'SELECT id, username, display_name AS displayName, created_at AS createdAt, disabled_at AS disabledAt FROM users';

function hashCode(normalised: string): Buffer {
  return createHash('sha256').update(normalised, 'utf8').digest();
}
