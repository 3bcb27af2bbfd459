import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Me } from '../../../protocol/models';
import { Avatar } from './Avatar';

interface Props {
  me: Me;
  onSearch(query: string): void;
  onSettings(): void;
  onLock(): void;
  settingsOpen: boolean;
}

/**
 * Always on screen while a profile is open: whose profile it is, search, settings and Lock.
 * On a shared desktop the name must be obvious at a glance, so it is large and next to Lock.
 */
export function TopBar({ me, onSearch, onSettings, onLock, settingsOpen }: Props) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const search = useRef<HTMLInputElement>(null);

  // Ctrl+F / Ctrl+K searches messages, as in other messengers (the host has no find bar).
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && (event.key === 'f' || event.key === 'k')) {
        event.preventDefault();
        search.current?.focus();
        search.current?.select();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const q = query.trim();
    if (q) onSearch(q.slice(0, 200));
  }

  return (
    <header className="topbar">
      <p className="brand topbar__brand" aria-hidden="true">
        Wardline
      </p>
      <form role="search" className="topbar__search" onSubmit={submit}>
        <label htmlFor={searchId} className="sr-only">
          Search all messages
        </label>
        <input
          id={searchId}
          ref={search}
          type="search"
          className="field__input"
          placeholder="Search all messages (Ctrl+F)"
          value={query}
          maxLength={200}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <div className="topbar__who">
        <Avatar name={me.displayName} />
        <p className="topbar__name">
          <span className="topbar__label">Signed in:</span> <strong>{me.displayName}</strong>
        </p>
      </div>
      <button type="button" className="button" onClick={onSettings} aria-current={settingsOpen ? 'page' : undefined}>
        Settings
      </button>
      <button type="button" className="button button--lock" onClick={onLock}>
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
          <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
        </svg>
        Lock
      </button>
    </header>
  );
}
