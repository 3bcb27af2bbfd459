import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timers } from './timers';

/**
 * The workstation's access log for hospital IT: who unlocked, locked, mistyped a PIN or lost a
 * profile, and when. It lives outside every profile, unencrypted, so IT can read it without any
 * clinician's PIN; that is exactly why it can hold nothing but the fields below. Every field is a
 * closed list or a checked format, and a line is built field by field, never by copying the
 * caller's object: a patient name, a message or a PIN has no field to go into.
 */
export const ACCESS_EVENTS = ['unlocked', 'locked', 'failed_pin', 'erased', 'enrolled', 'export'] as const;
export type AccessEvent = (typeof ACCESS_EVENTS)[number];

export const ACCESS_REASONS = [
  // why a profile locked (protocol LockReason), or 'switch': another profile was unlocked over it
  'user', 'idle', 'os-lock', 'suspend', 'user-switch', 'shortcut', 'switch', 'remote-wipe',
  // why a profile was erased
  'too_many_attempts', 'removed', 'remote_wipe',
  // what was exported
  'pdf',
] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

/** What a caller may record. `at` is not among them: the log takes it from its own clock. */
export interface AccessRecord {
  readonly event: AccessEvent;
  /** The vault's random profile id (22 base64url characters), never a name or user id. */
  readonly profileId: string;
  readonly reason?: AccessReason;
}

/** One line of the log as IT reads it. */
export interface AccessLogEntry extends AccessRecord {
  /** ISO 8601, UTC. */
  readonly at: string;
}

/** Vault ids are randomBytes(16) in base64url; a loose bound still keeps names and e-mail addresses out. */
const PROFILE_ID = /^[A-Za-z0-9_-]{16,64}$/;
const FILE = /^access-(\d{4})-(\d{2})\.jsonl$/;

export function accessLogDir(dataDir: string): string {
  return join(dataDir, 'access-log');
}

/** One file per calendar month (UTC), so old months can be archived or deleted by IT as whole files. */
export function accessLogFile(dataDir: string, at: Date): string {
  return join(accessLogDir(dataDir), `access-${monthKey(at)}.jsonl`);
}

/** Throws TypeError for anything outside the whitelist; returns the one line to append. */
export function formatAccessLine(record: AccessRecord, at: Date): string {
  if (!(ACCESS_EVENTS as readonly string[]).includes(record.event)) throw new TypeError(`unknown access-log event ${JSON.stringify(record.event)}`);
  if (typeof record.profileId !== 'string' || !PROFILE_ID.test(record.profileId)) {
    // The value itself is not echoed: a caller bug could have put a name here.
    throw new TypeError('access-log profileId must be a vault profile id');
  }
  if (record.reason !== undefined && !(ACCESS_REASONS as readonly string[]).includes(record.reason)) {
    throw new TypeError(`unknown access-log reason ${JSON.stringify(record.reason)}`);
  }
  const entry: AccessLogEntry = {
    at: at.toISOString(),
    event: record.event,
    profileId: record.profileId,
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
  };
  return `${JSON.stringify(entry)}\n`;
}

export interface MachineAccessLogOptions {
  dataDir: string;
  timers: Pick<Timers, 'now'>;
  /** A record that could not be written. Default: console.error. Recording never throws. */
  onError?(error: unknown): void;
}

/**
 * Appends to <dataDir>/access-log/access-YYYY-MM.jsonl. Each line is one small O_APPEND write,
 * so lines from two processes do not interleave and a crash loses at most the line being written.
 * record() never throws: a full disk must not stop a profile from locking.
 */
export class MachineAccessLog {
  readonly #o: MachineAccessLogOptions;

  constructor(options: MachineAccessLogOptions) {
    this.#o = options;
  }

  record(record: AccessRecord): boolean {
    try {
      const at = new Date(this.#o.timers.now());
      const line = formatAccessLine(record, at);
      mkdirSync(accessLogDir(this.#o.dataDir), { recursive: true, mode: 0o700 });
      appendFileSync(accessLogFile(this.#o.dataDir, at), line, { encoding: 'utf8', mode: 0o600 });
      return true;
    } catch (error) {
      (this.#o.onError ?? ((e: unknown) => console.error('access log:', e)))(error);
      return false;
    }
  }
}

/**
 * Every entry at or after `since` (and before `until`), oldest first, from all monthly files.
 * Lines that do not parse or do not fit the whitelist (a line torn by a power cut, an edit by
 * hand) are skipped and counted, not fatal: IT still gets the rest.
 */
export function readAccessLog(dataDir: string, options: { since?: Date | number; until?: Date | number } = {}): { entries: AccessLogEntry[]; skipped: number } {
  const since = options.since === undefined ? -Infinity : +options.since;
  const until = options.until === undefined ? Infinity : +options.until;
  const firstMonth = Number.isFinite(since) ? monthKey(new Date(since)) : '';
  let names: string[];
  try {
    names = readdirSync(accessLogDir(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw error;
  }
  const entries: AccessLogEntry[] = [];
  let skipped = 0;
  for (const name of names.filter((n) => FILE.test(n)).sort()) {
    const [, year, month] = FILE.exec(name) ?? [];
    if (`${year}-${month}` < firstMonth) continue;
    for (const line of readFileSync(join(accessLogDir(dataDir), name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (!entry) {
        skipped++;
        continue;
      }
      const t = Date.parse(entry.at);
      if (t >= since && t < until) entries.push(entry);
    }
  }
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { entries, skipped };
}

function parseLine(line: string): AccessLogEntry | null {
  try {
    const raw = JSON.parse(line) as Record<string, unknown>;
    if (typeof raw.at !== 'string' || Number.isNaN(Date.parse(raw.at))) return null;
    const record = { event: raw.event, profileId: raw.profileId, ...(raw.reason !== undefined ? { reason: raw.reason } : {}) } as AccessRecord;
    // Re-validated through the writer's own check, and rebuilt from the whitelisted fields only.
    return JSON.parse(formatAccessLine(record, new Date(raw.at))) as AccessLogEntry;
  } catch {
    return null;
  }
}

function monthKey(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
