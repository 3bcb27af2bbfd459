import { useRef, useState } from 'react';
import type { DirectoryUser } from '../../../protocol/models';
import { useDirectorySearch } from '../hooks/useDirectorySearch';
import { Avatar } from './Avatar';
import { DirectorySearchField } from './DirectorySearchField';

interface Props {
  label: string;
  /** Already chosen or already members: shown as such, not offered again. */
  exclude: ReadonlySet<string>;
  /** Said when everyone the search found is excluded ("Everyone found is already a member."). */
  allExcluded: string;
  onPick(user: DirectoryUser): void;
  disabled?: boolean;
}

/**
 * Finds colleagues in the directory by name for a group: each result is a button that picks the
 * colleague (Tab between them, Enter or Space to pick). The picked one leaves the list, so focus
 * goes back to the search box, which keeps its text: several people from one search in turn.
 */
export function PeoplePicker({ label, exclude, allExcluded, onPick, disabled }: Props) {
  const [query, setQuery] = useState('');
  const found = useDirectorySearch(query);
  const input = useRef<HTMLInputElement>(null);

  function pick(user: DirectoryUser) {
    onPick(user);
    input.current?.focus();
  }

  const offered = found.state === 'ready' ? found.users.filter((u) => !exclude.has(u.userId)) : [];
  return (
    <div className="picker">
      <DirectorySearchField
        label={label}
        query={query}
        onQuery={setQuery}
        found={found}
        foundText={offered.length === 0 ? allExcluded : `${offered.length} found.`}
        inputRef={input}
        disabled={disabled}
        statusClassName="muted picker__status"
      />
      {offered.length > 0 && (
        <ul className="people people--compact" aria-label="Colleagues found">
          {offered.map((user) => (
            <li key={user.userId}>
              <button type="button" className="person" onClick={() => pick(user)} disabled={disabled}>
                <Avatar name={user.displayName} size="s" />
                <span className="person__name">{user.displayName}</span>
                <span className="person__meta">{user.username}</span>
                <span className="person__action" aria-hidden="true">
                  Add +
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
