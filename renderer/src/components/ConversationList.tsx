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
                <Avatar name={c.title} />
                <span className="conv__title">{c.title}</span>
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
