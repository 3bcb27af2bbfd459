import { useEffect, useRef } from 'react';
import type { ProfileSummary } from '../../../protocol/models';
import { Avatar } from '../components/Avatar';
import { useResult } from '../hooks/useResult';
import { fullTime } from '../lib/format';

interface Props {
  onChoose(profile: ProfileSummary): void;
  onAddProfile(): void;
  /** Why we are back here, e.g. "Dr Okafor's profile was locked after inactivity." */
  notice?: { text: string; tone: 'info' | 'error' } | null;
}

/**
 * The first screen on a shared workstation: one tile per clinician enrolled here. It shows only
 * public facts (name, user id, last used); choosing a tile leads to that clinician's PIN.
 */
export function WhoIsHere({ onChoose, onAddProfile, notice }: Props) {
  const [profiles, , setProfiles] = useResult(() => window.wardline.profiles.list());
  useEffect(() => window.wardline.profiles.onChanged(setProfiles), [setProfiles]);
  const heading = useRef<HTMLHeadingElement>(null);
  // Arriving here (after a lock, or "Not you?") starts the next person at the top of the page.
  useEffect(() => heading.current?.focus(), []);

  return (
    <main className="who" aria-labelledby="who-title">
      <header className="who__header">
        <p className="brand" aria-hidden="true">
          Wardline
        </p>
        <h1 id="who-title" ref={heading} tabIndex={-1}>
          Who is using this workstation?
        </h1>
        <p className="who__hint">Choose your profile and enter your PIN. Each clinician's messages are encrypted under their own PIN.</p>
      </header>
      {notice && (
        <p role={notice.tone === 'error' ? 'alert' : 'status'} className={`notice notice--${notice.tone}`}>
          {notice.text}
        </p>
      )}
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
              <button
                type="button"
                className={`tile ${p.state === 'erased' ? 'tile--erased' : ''}`}
                onClick={() => onChoose(p)}
                aria-describedby={`tile-${p.id}-meta`}
              >
                <Avatar name={p.displayName} size="l" />
                <span className="tile__name">{p.displayName}</span>
                <span className="tile__meta" id={`tile-${p.id}-meta`}>
                  {p.state === 'erased' ? (p.erasedReason === 'remote_wipe' ? 'Erased by your organisation: ask IT to enrol again' : 'Erased after too many wrong PINs: enrol again') : lastUsed(p.lastUsedAt)}
                </span>
              </button>
            </li>
          ))}
          <li>
            <button type="button" className="tile tile--add" onClick={onAddProfile}>
              <span className="avatar avatar--l avatar--add" aria-hidden="true">
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

function lastUsed(at: number | null): string {
  return at === null ? 'Not used yet' : `Last used ${fullTime(at)}`;
}
