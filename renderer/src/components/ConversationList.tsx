import { useEffect, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import type { ConversationSummary } from '../../../protocol/models';
import type { Loadable } from '../hooks/useResult';
import { listTime, plural } from '../lib/format';
import { Avatar } from './Avatar';

interface Props {
  conversations: Loadable<ConversationSummary[]>;
  selectedId: string | null;
  onOpen(conversation: ConversationSummary): void;
  onReload(): void;
  /** Take focus once (after unlock): the list, then its first conversation when it arrives. */
  takeFocus: boolean;
}

/**
 * The open profile's conversations: name, time and a one-line preview, with an unread badge.
 * Up/Down/Home/End move between conversations, as in a mail client.
 */
/** Two figures for a group, instead of a colleague's initials; decorative like Avatar. */
function GroupAvatar() {
  return (
    <span className="avatar avatar--m avatar--group" aria-hidden="true">
      <svg viewBox="0 0 24 24" className="avatar__icon">
        <circle cx="9" cy="8" r="3.2" fill="currentColor" />
        <circle cx="16.5" cy="9" r="2.6" fill="currentColor" opacity="0.75" />
        <path d="M3 19c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5z" fill="currentColor" />
        <path d="M14.5 13.6c.6-.2 1.3-.3 2-.3 2.7 0 4.5 1.9 4.5 4.7h-5" fill="currentColor" opacity="0.75" />
      </svg>
    </span>
  );
}

export function ConversationList({ conversations, selectedId, onOpen, onReload, takeFocus }: Props) {
  const list = useRef<HTMLUListElement>(null);
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (takeFocus) wrap.current?.focus();
  }, [takeFocus]);
  const ready = conversations.state === 'ready';
  useEffect(() => {
    // The list arrived while focus still waits on its container: move it to the first entry.
    if (takeFocus && ready && document.activeElement === wrap.current) {
      list.current?.querySelector<HTMLButtonElement>('button')?.focus();
    }
  }, [takeFocus, ready]);

  function onKeyDown(event: KeyboardEvent) {
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.conv') ?? [])];
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const target =
      event.key === 'ArrowDown' ? buttons[Math.min(at + 1, buttons.length - 1)]
      : event.key === 'ArrowUp' ? buttons[Math.max(at - 1, 0)]
      : event.key === 'Home' ? buttons[0]
      : event.key === 'End' ? buttons[buttons.length - 1]
      : null;
    if (!target) return;
    event.preventDefault();
    target.focus();
  }

  return (
    <div className="convlist" ref={wrap} tabIndex={-1} onKeyDown={onKeyDown} aria-labelledby="convlist-title">
      <h2 id="convlist-title" className="sr-only">
        Conversations
      </h2>
      {conversations.state === 'loading' && <p role="status" className="convlist__note">Loading conversations…</p>}
      {conversations.state === 'failed' && (
        <div role="alert" className="convlist__note">
          <p className="error">Conversations could not be loaded: {conversations.error.message}</p>
          <button type="button" className="button button--small" onClick={onReload}>
            Try again
          </button>
        </div>
      )}
      {conversations.state === 'ready' && conversations.value.length === 0 && (
        <p className="convlist__note">No conversations yet. Start one with “New conversation”.</p>
      )}
      {conversations.state === 'ready' && conversations.value.length > 0 && (
        <ul ref={list} className="convlist__items" aria-label="Conversations">
          {conversations.value.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={`conv ${c.id === selectedId ? 'is-selected' : ''} ${c.unread > 0 ? 'has-unread' : ''}`}
                aria-current={c.id === selectedId ? 'true' : undefined}
                onClick={() => onOpen(c)}
              >
                {c.kind === 'group' ? <GroupAvatar /> : <Avatar name={c.title} />}
                <span className="conv__title">
                  <span className="conv__name">{c.title}</span>
                  {c.kind === 'group' && (
                    <span className="conv__members">
                      <span className="sr-only">, group, {plural(c.memberCount ?? 0, 'member')}</span>
                      <svg viewBox="0 0 16 16" aria-hidden="true" className="conv__members-icon">
                        <circle cx="6" cy="5" r="2.5" fill="currentColor" />
                        <path d="M1.5 14c0-2.8 2-4.5 4.5-4.5s4.5 1.7 4.5 4.5z" fill="currentColor" />
                        <circle cx="11.5" cy="6" r="2" fill="currentColor" opacity="0.7" />
                        <path d="M11 9.6c2.3 0 3.8 1.6 3.8 4.4h-3" fill="currentColor" opacity="0.7" />
                      </svg>
                      <span aria-hidden="true">{c.memberCount ?? 0}</span>
                    </span>
                  )}
                </span>
                {c.lastMessage && (
                  <time className="conv__time" dateTime={new Date(c.lastMessage.at).toISOString()}>
                    {listTime(c.lastMessage.at)}
                  </time>
                )}
                <span className="conv__preview">
                  {c.lastMessage ? `${c.lastMessage.fromMe ? 'You: ' : ''}${c.lastMessage.preview || 'Attachment'}` : 'No messages yet'}
                </span>
                {c.unread > 0 && (
                  <span className="conv__badge">
                    <span aria-hidden="true">{c.unread > 99 ? '99+' : c.unread}</span>
                    <span className="sr-only">, {plural(c.unread, 'unread message')}</span>
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
