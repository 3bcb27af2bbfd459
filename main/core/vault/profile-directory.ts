import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What anyone at the workstation may see about a profile: never secrets, never content. */
export interface ProfileSummary {
  id: string;
  displayName: string;
  userId: string;
  lastUsedAt: number | null;
  state: 'active' | 'erased';
}

const PROFILE_ID = /^[A-Za-z0-9_-]{8,64}$/;

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
    return {
      id,
      displayName: raw.displayName,
      userId: raw.userId,
      lastUsedAt: typeof raw.lastUsedAt === 'number' ? raw.lastUsedAt : null,
      state: raw.erased === true ? 'erased' : 'active',
    };
  } catch {
    return null;
  }
}
