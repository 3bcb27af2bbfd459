import { useEffect, useRef, useState } from 'react';
import type { ConversationSummary, DirectoryUser } from '../../../protocol/models';
import { Avatar } from '../components/Avatar';
import { DirectorySearchField } from '../components/DirectorySearchField';
import { useDirectorySearch } from '../hooks/useDirectorySearch';
import { call } from '../lib/call';

interface Props {
  onStarted(conversation: ConversationSummary): void;
}

/** Find a colleague in the organisation's directory by name and open a conversation with them. */
export function NewConversation({ onStarted }: Props) {
  const [query, setQuery] = useState('');
  const found = useDirectorySearch(query);
  const [starting, setStarting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  async function start(user: DirectoryUser) {
    setStarting(user.userId);
    setError(null);
    const result = await call(() => window.wardline.conversations.start({ userId: user.userId }));
    setStarting(null);
    if (result.ok) onStarted(result.value);
    else setError(`Could not start a conversation with ${user.displayName}: ${result.error.message}`);
  }

  return (
    <section className="page" aria-labelledby="new-title">
      <h2 id="new-title" className="page__title">
        New conversation
      </h2>
      <DirectorySearchField
        label="Find a colleague by name"
        query={query}
        onQuery={setQuery}
        found={found}
        foundText={`${found.state === 'ready' ? found.users.length : 0} found.`}
        inputRef={input}
        searchClassName="page__search"
        statusClassName="muted"
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {found.state === 'ready' && found.users.length > 0 && (
        <ul className="people" aria-label="Directory results">
          {found.users.map((user) => (
            <li key={user.userId}>
              <button type="button" className="person" onClick={() => void start(user)} disabled={starting !== null}>
                <Avatar name={user.displayName} />
                <span className="person__name">{user.displayName}</span>
                <span className="person__meta">{user.username}</span>
                <span className="person__action" aria-hidden="true">
                  {starting === user.userId ? 'Opening…' : 'Message →'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
