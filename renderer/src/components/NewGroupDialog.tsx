import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { ConversationSummary, DirectoryUser } from '../../../protocol/models';
import { call } from '../lib/call';
import { Dialog } from './Dialog';
import { PeoplePicker } from './PeoplePicker';

interface Props {
  onCreated(conversation: ConversationSummary): void;
  onClose(): void;
}

/** The contract's MAX_GROUP_NAME_CHARS (protocol/contract.ts); main checks it again. */
const MAX_NAME_CHARS = 256;

/** "New group": a name and the colleagues to add, picked from the directory and shown as removable chips. */
export function NewGroupDialog({ onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<DirectoryUser[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function create(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Give the group a name.');
    if (chosen.length === 0) return setError('Choose at least one colleague.');
    setBusy(true);
    setError(null);
    const result = await call(() => window.wardline.groups.create({ name: name.trim(), memberUserIds: chosen.map((u) => u.userId) }));
    setBusy(false);
    if (result.ok) onCreated(result.value);
    else setError(`The group was not created: ${result.error.message}`);
  }

  return (
    <Dialog title="New group" onClose={onClose}>
      <form className="groupform" onSubmit={(e) => void create(e)} aria-label="New group">
        <label htmlFor={id} className="field__label">
          Group name
        </label>
        <input
          id={id}
          className="field__input"
          value={name}
          maxLength={MAX_NAME_CHARS}
          placeholder="e.g. Ward 7 night team"
          onChange={(e) => setName(e.target.value)}
          data-autofocus
          required
        />
        <ChosenChips people={chosen} onRemove={(u) => setChosen((c) => c.filter((x) => x.userId !== u.userId))} />
        <PeoplePicker
          label="Add colleagues by name"
          exclude={new Set(chosen.map((u) => u.userId))}
          allExcluded="Everyone found is already chosen."
          onPick={(u) => setChosen((c) => [...c, u])}
          disabled={busy}
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p className="groupform__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Creating…' : `Create group${chosen.length > 0 ? ` with ${chosen.length + 1} members` : ''}`}
          </button>
        </p>
      </form>
    </Dialog>
  );
}

/** The colleagues chosen so far; each chip's button takes its colleague off again. */
export function ChosenChips({ people, onRemove }: { people: readonly DirectoryUser[]; onRemove(user: DirectoryUser): void }) {
  if (people.length === 0) return <p className="muted chips__empty">No colleagues chosen yet.</p>;
  return (
    <ul className="chips" aria-label="Chosen colleagues">
      {people.map((u) => (
        <li key={u.userId} className="chip">
          <span>{u.displayName}</span>
          <button type="button" className="chip__remove" onClick={() => onRemove(u)} aria-label={`Remove ${u.displayName}`}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
