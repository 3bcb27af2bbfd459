import { useId } from 'react';
import type { RefObject } from 'react';
import type { DirectorySearch } from '../hooks/useDirectorySearch';

interface Props {
  label: string;
  query: string;
  onQuery(query: string): void;
  found: DirectorySearch;
  /** Said when the directory found someone ("3 found.", or that all of them are already chosen). */
  foundText: string;
  inputRef: RefObject<HTMLInputElement | null>;
  disabled?: boolean;
  searchClassName?: string;
  statusClassName: string;
}

/**
 * The search box for the organisation's directory with its live status line (searching, nobody
 * by that name, how many found) and the alert when the directory cannot be searched: the new
 * conversation screen and the group pickers.
 */
export function DirectorySearchField({ label, query, onQuery, found, foundText, inputRef, disabled, searchClassName, statusClassName }: Props) {
  const id = useId();
  return (
    <>
      <div role="search" className={searchClassName}>
        <label htmlFor={id} className="field__label">
          {label}
        </label>
        <input
          id={id}
          ref={inputRef}
          className="field__input"
          type="search"
          value={query}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          onChange={(e) => onQuery(e.target.value)}
          aria-describedby={`${id}-status`}
        />
      </div>
      <p id={`${id}-status`} role="status" className={statusClassName}>
        {found.state === 'searching' && 'Searching the directory…'}
        {found.state === 'ready' && (found.users.length === 0 ? `No one called “${query.trim()}” in the directory.` : foundText)}
      </p>
      {found.state === 'failed' && (
        <p role="alert" className="error">
          The directory could not be searched: {found.message}
        </p>
      )}
    </>
  );
}
