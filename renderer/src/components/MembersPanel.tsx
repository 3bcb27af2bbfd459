import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { GroupChangeInput, GroupView } from '../../../protocol/models';
import { call } from '../lib/call';
import { Avatar } from './Avatar';
import { Dialog } from './Dialog';
import { PeoplePicker } from './PeoplePicker';

interface Props {
  group: GroupView;
  myUserId: string;
  onChanged(group: GroupView): void;
  onClose(): void;
}

/** The contract's MAX_GROUP_NAME_CHARS (protocol/contract.ts); main checks it again. */
const MAX_NAME_CHARS = 256;

/**
 * A group's members with their roles. Admins also see add, remove, make admin / remove admin
 * and rename; everyone sees "Leave group", confirmed first. A change is signed here and committed
 * through the relay, so it shows a moment later, with a line in the conversation.
 */
export function MembersPanel({ group, myUserId, onChanged, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [name, setName] = useState(group.name);
  const nameId = useId();
  const admin = group.myRole === 'admin';

  async function change(input: GroupChangeInput, done: string) {
    setBusy(true);
    setError(null);
    setStatus(null);
    const result = await call(() => window.wardline.groups.change({ conversationId: group.conversationId, change: input }));
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setStatus(done);
    onChanged(result.value);
  }

  function rename(event: FormEvent) {
    event.preventDefault();
    const next = name.trim();
    if (!next || next === group.name) return;
    void change({ type: 'rename', name: next }, `Renaming the group to ${next}…`);
  }

  return (
    <Dialog title={`Members of ${group.name}`} onClose={onClose}>
      <p className="muted">
        {group.members.length} {group.members.length === 1 ? 'member' : 'members'}
        {group.myRole === null ? ' · You are no longer a member' : admin ? ' · You are an admin' : ''}
      </p>
      <ul className="members" aria-label="Members">
        {group.members.map((m) => (
          <li key={m.userId} className="member">
            <Avatar name={m.displayName} size="s" />
            <span className="member__name">
              {m.displayName}
              {m.userId === myUserId && ' (you)'}
            </span>
            <span className={`badge ${m.role === 'admin' ? 'badge--admin' : ''}`}>{m.role === 'admin' ? 'Admin' : 'Member'}</span>
            {admin && m.userId !== myUserId && (
              <span className="member__actions">
                <button
                  type="button"
                  className="button button--small"
                  disabled={busy}
                  onClick={() =>
                    void change(
                      m.role === 'admin' ? { type: 'demote', userId: m.userId } : { type: 'promote', userId: m.userId },
                      m.role === 'admin' ? `Removing ${m.displayName} as admin…` : `Making ${m.displayName} an admin…`,
                    )
                  }
                  aria-label={m.role === 'admin' ? `Remove ${m.displayName} as admin` : `Make ${m.displayName} an admin`}
                >
                  {m.role === 'admin' ? 'Remove admin' : 'Make admin'}
                </button>
                <button
                  type="button"
                  className="button button--small button--danger"
                  disabled={busy}
                  onClick={() => void change({ type: 'remove', userIds: [m.userId] }, `Removing ${m.displayName}…`)}
                  aria-label={`Remove ${m.displayName} from the group`}
                >
                  Remove
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      <p role="status" className="muted">
        {status}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {admin && (
        <>
          <PeoplePicker
            label="Add a member by name"
            exclude={new Set(group.members.map((m) => m.userId))}
            allExcluded="Everyone found is already a member."
            disabled={busy}
            onPick={(u) => void change({ type: 'add', userIds: [u.userId] }, `Adding ${u.displayName}…`)}
          />
          <form className="members__rename" onSubmit={rename}>
            <label htmlFor={nameId} className="field__label">
              Group name
            </label>
            <span className="members__rename-row">
              <input id={nameId} className="field__input" value={name} maxLength={MAX_NAME_CHARS} onChange={(e) => setName(e.target.value)} disabled={busy} />
              <button type="submit" className="button" disabled={busy || !name.trim() || name.trim() === group.name}>
                Rename
              </button>
            </span>
          </form>
        </>
      )}
      {group.myRole !== null && (
        <p className="members__leave">
          <button type="button" className="button button--danger" onClick={() => setConfirmLeave(true)} disabled={busy}>
            Leave group
          </button>
        </p>
      )}
      {confirmLeave && (
        <Dialog title={`Leave ${group.name}?`} onClose={() => setConfirmLeave(false)}>
          <p>You will no longer get this group’s messages and cannot send to it. Its history stays on this workstation. An admin can add you again.</p>
          <p className="groupform__actions">
            <button type="button" className="button" onClick={() => setConfirmLeave(false)} data-autofocus>
              Stay in the group
            </button>
            <button
              type="button"
              className="button button--danger"
              onClick={() => {
                setConfirmLeave(false);
                void change({ type: 'leave' }, 'Leaving the group…');
              }}
            >
              Leave group
            </button>
          </p>
        </Dialog>
      )}
    </Dialog>
  );
}
