import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { ClipboardEvent, FormEvent, KeyboardEvent } from 'react';
import { fileSize } from '../lib/format';
import { insertMention, matchMembers, mentionAt, mentionedIn } from '../lib/mentions';
import type { Mentionable } from '../lib/mentions';

/** The contract's MAX_TEXT_CHARS (protocol/contract.ts); main checks it again. */
const MAX_TEXT_CHARS = 8000;

export interface Upload {
  key: string;
  name: string;
  size: number;
}

interface Props {
  recipient: string;
  /** Resolves to an error sentence, or null when the message was handed to main. */
  onSendText(text: string, urgent: boolean, mentions: string[]): Promise<string | null>;
  /** A group's other members, offered after "@"; null in a direct conversation. */
  mentionable: readonly Mentionable[] | null;
  /** Urgent (acknowledged) messages go to one colleague: a group's composer has no Urgent box. */
  direct: boolean;
  onSendFiles(files: File[]): void;
  uploads: readonly Upload[];
  /** An error from sending files (too large, refused), shown under the box. */
  fileError: string | null;
  autoFocus: boolean;
}

/**
 * Enter sends, Shift+Enter starts a new line; pasting an image or file sends it (as does the
 * Attach button and dropping on the conversation). The box grows with its text (field-sizing).
 */
export function Composer({ recipient, onSendText, onSendFiles, uploads, fileError, autoFocus, mentionable, direct }: Props) {
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  // Members picked from the @ list; at send, those still named in the text are the mentions.
  const [picked, setPicked] = useState<Mentionable[]>([]);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once a chosen mention is in the box: placed in the same commit, before
  // the next key is handled (a frame later, fast typing would land in front of the caret).
  const caretAfterChoice = useRef<number | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const id = useId();

  const mention = mentionable ? mentionAt(text, caret) : null;
  const offered = mention && mention.start !== dismissedAt ? matchMembers(mentionable ?? [], mention.query) : [];
  const choosing = offered.length > 0;
  const activeIndex = Math.min(active, Math.max(0, offered.length - 1));

  function choose(member: Mentionable) {
    if (!mention) return;
    const next = insertMention(text, mention, member);
    setText(next.text);
    setPicked((p) => (p.some((m) => m.userId === member.userId) ? p : [...p, member]));
    setActive(0);
    setCaret(next.caret);
    // The list stays closed for this mention: its completed name would match again.
    setDismissedAt(mention.start);
    caretAfterChoice.current = next.caret;
  }

  useLayoutEffect(() => {
    const at = caretAfterChoice.current;
    if (at === null) return;
    caretAfterChoice.current = null;
    box.current?.focus();
    box.current?.setSelectionRange(at, at);
  }, [text]);

  useEffect(() => {
    if (autoFocus) box.current?.focus();
  }, [autoFocus]);

  async function send() {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (trimmed.length > MAX_TEXT_CHARS) {
      setError(`This message is ${trimmed.length.toLocaleString('en-GB')} characters; the limit is ${MAX_TEXT_CHARS.toLocaleString('en-GB')}.`);
      return;
    }
    setText('');
    setError(null);
    const mentions = mentionable ? mentionedIn(trimmed, picked) : [];
    const problem = await onSendText(trimmed, direct && urgent, mentions);
    if (!problem) {
      setUrgent(false);
      setPicked([]);
    }
    if (problem) {
      // Give the words back rather than lose what a clinician typed.
      setText((current) => (current ? current : trimmed));
      setError(problem);
    }
    box.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (choosing) {
      const move = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
      if (move !== 0) {
        event.preventDefault();
        setActive((activeIndex + move + offered.length) % offered.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
        event.preventDefault();
        choose(offered[activeIndex]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissedAt(mention!.start);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    onSendFiles(files);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  const shownError = error ?? fileError;
  const near = text.length > MAX_TEXT_CHARS - 500;
  return (
    <form className="composer" onSubmit={onSubmit} aria-label={`Write to ${recipient}`}>
      {uploads.length > 0 && (
        <ul className="composer__uploads" aria-label="Files being sent">
          {uploads.map((u) => (
            <li key={u.key} className="transfer">
              <progress className="transfer__bar" aria-label={`Sending ${u.name}`} />
              <span className="transfer__text">
                Encrypting and sending {u.name} ({fileSize(u.size)})
              </span>
            </li>
          ))}
        </ul>
      )}
      {shownError && (
        <p className="error composer__error" role="alert">
          {shownError}
        </p>
      )}
      {choosing && (
        <ul id={`${id}-mentions`} role="listbox" className="mentions" aria-label="Mention a member">
          {offered.map((m, i) => (
            <li
              key={m.userId}
              id={`${id}-mention-${i}`}
              role="option"
              aria-selected={i === activeIndex}
              className={`mentions__item ${i === activeIndex ? 'is-active' : ''}`}
              // Keep focus in the box: the choice is made on mousedown, before the box would blur.
              onMouseDown={(event) => {
                event.preventDefault();
                choose(m);
              }}
            >
              {m.displayName}
            </li>
          ))}
        </ul>
      )}
      <div className="composer__row">
        <button type="button" className="button composer__attach" onClick={() => picker.current?.click()} aria-label="Attach a file or picture">
          <svg viewBox="0 0 16 16" aria-hidden="true">
            <path d="M11 4.5L5.8 9.7a1.3 1.3 0 0 0 1.8 1.8l5.3-5.3a2.6 2.6 0 0 0-3.7-3.7L3.9 7.8a3.9 3.9 0 0 0 5.5 5.5L13 9.7" fill="none" stroke="currentColor" strokeWidth="1.4" />
          </svg>
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            if (files.length) onSendFiles(files);
          }}
        />
        <label htmlFor={id} className="sr-only">
          Message to {recipient}
        </label>
        <textarea
          id={id}
          ref={box}
          className="composer__box"
          rows={1}
          value={text}
          placeholder={`Message ${recipient}`}
          aria-describedby={`${id}-hint`}
          aria-autocomplete={mentionable ? 'list' : undefined}
          aria-controls={choosing ? `${id}-mentions` : undefined}
          aria-expanded={mentionable ? choosing : undefined}
          aria-activedescendant={choosing ? `${id}-mention-${activeIndex}` : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            // Leaving a mention (or starting another) offers the list again.
            if (dismissedAt !== null && mentionAt(event.target.value, event.target.selectionStart)?.start !== dismissedAt) setDismissedAt(null);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        {direct && (
          <label className="composer__urgent" title="The recipient is alerted every 2 minutes until they acknowledge it">
            <input type="checkbox" checked={urgent} onChange={(event) => setUrgent(event.target.checked)} /> Urgent
          </label>
        )}
        <button type="submit" className="button button--primary composer__send" disabled={!text.trim()}>
          Send
        </button>
      </div>
      <p id={`${id}-hint`} className="composer__hint">
        {direct ? 'Enter to send · Shift+Enter for a new line · Paste or drop a picture or file (up to 25 MB)' : 'Enter to send · Shift+Enter for a new line · @ to mention a member · Paste or drop a file (up to 25 MB)'}
        {near && ` · ${(MAX_TEXT_CHARS - text.length).toLocaleString('en-GB')} characters left`}
      </p>
    </form>
  );
}
