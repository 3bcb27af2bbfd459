import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_ID } from './profile-file';

/** What anyone at the workstation may see about a profile: never secrets, never content. */
export interface ProfileSummary {
  id: string;
  displayName: string;
  userId: string;
  lastUsedAt: number | null;
  state: 'active' | 'erased';
  /** Why it was erased: too many wrong PINs, or the organisation's remote wipe. */
  erasedReason?: 'too_many_attempts' | 'remote_wipe' | null;
  /**
   * Wrong PINs left before crypto-erase, as profile.json states it; null when erased or unknown.
   * For display only: the vault re-checks the authenticated counter at every attempt.
   */
  attemptsLeft: number | null;
}

/**
 * Lists the profiles enrolled on this workstation from their public facts only (profile.json),
 * so choosing "who is using this workstation" needs nobody's PIN. A folder whose profile.json
 * is missing or unreadable is skipped rather than failing the whole list: one damaged profile
 * must not lock every clinician out.
 */
export function listProfiles(dataDir: string): ProfileSummary[] {
  const root = join(dataDir, 'profiles');
  if (!existsSync(root)) return [];
  const out: ProfileSummary[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !PROFILE_ID.test(entry.name)) continue;
    const summary = readSummary(join(root, entry.name, 'profile.json'), entry.name);
    if (summary) out.push(summary);
  }
  return out.sort((a, b) => (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) || a.displayName.localeCompare(b.displayName));
}

function readSummary(file: string, id: string): ProfileSummary | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof raw.displayName !== 'string' || typeof raw.userId !== 'string') return null;
    const erased = raw.erased === true;
    return {
      id,
      displayName: raw.displayName,
      userId: raw.userId,
      lastUsedAt: typeof raw.lastUsedAt === 'number' ? raw.lastUsedAt : null,
      state: erased ? 'erased' : 'active',
      erasedReason: erased ? (raw.erasedReason === 'remote_wipe' ? 'remote_wipe' : 'too_many_attempts') : null,
      attemptsLeft: erased ? null : attemptsLeft(raw.attempts),
    };
  } catch {
    return null;
  }
}

function attemptsLeft(a: unknown): number | null {
  if (typeof a !== 'object' || a === null) return null;
  const { failed, max } = a as { failed?: unknown; max?: unknown };
  return typeof failed === 'number' && typeof max === 'number' ? Math.max(0, max - failed) : null;
}
