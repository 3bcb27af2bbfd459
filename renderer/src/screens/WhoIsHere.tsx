import { useEffect } from 'react';
import type { ProfileSummary } from '../../../protocol/models';
import { useResult } from '../useResult';

interface Props {
  onChoose(profile: ProfileSummary): void;
  onAddProfile(): void;
}

/**
 * The first screen on a shared workstation: one tile per clinician enrolled here. It shows only
 * public facts (name, user id, last used); choosing a tile leads to that clinician's PIN.
 */
export function WhoIsHere({ onChoose, onAddProfile }: Props) {
  const [profiles, reload] = useResult(() => window.wardline.profiles.list());
  useEffect(() => window.wardline.profiles.onChanged(() => reload()), [reload]);

  return (
    <main className="who" aria-labelledby="who-title">
      <header className="who__header">
        <p className="brand" aria-hidden="true">Wardline</p>
        <h1 id="who-title">Who is using this workstation?</h1>
        <p className="who__hint">Choose your profile and enter your PIN. Each clinician's messages are encrypted under their own PIN.</p>
      </header>
      {profiles.state === 'loading' && <p role="status">Loading profiles…</p>}
      {profiles.state === 'failed' && (
        <p role="alert" className="error">
          {profiles.error.message}
        </p>
      )}
      {profiles.state === 'ready' && (
        <ul className="tiles" aria-label="Profiles on this workstation">
          {profiles.value.map((p) => (
            <li key={p.id}>
              <button type="button" className="tile" onClick={() => onChoose(p)} aria-describedby={`tile-${p.id}-meta`}>
                <span className="tile__avatar" aria-hidden="true">
                  {initials(p.displayName)}
                </span>
                <span className="tile__name">{p.displayName}</span>
                <span className="tile__meta" id={`tile-${p.id}-meta`}>
                  {p.state === 'erased' ? 'Erased: enrol again' : lastUsed(p.lastUsedAt)}
                </span>
              </button>
            </li>
          ))}
          <li>
            <button type="button" className="tile tile--add" onClick={onAddProfile}>
              <span className="tile__avatar" aria-hidden="true">
                +
              </span>
              <span className="tile__name">Add profile</span>
              <span className="tile__meta">Enrol with a code from IT</span>
            </button>
          </li>
        </ul>
      )}
      {profiles.state === 'ready' && profiles.value.length === 0 && (
        <p className="who__empty">No one has enrolled on this workstation yet.</p>
      )}
    </main>
  );
}

function initials(name: string): string {
  const parts = name.replace(/^(dr|mr|mrs|ms|prof)\.?\s+/i, '').split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

function lastUsed(at: number | null): string {
  if (at === null) return 'Not used yet';
  return `Last used ${new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`;
}
