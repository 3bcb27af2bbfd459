import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { ConversationSummary } from '../../../protocol/models';
import { call } from '../lib/call';
import { capReason, TIMER_CHOICES_SECONDS, timerLabel } from '../lib/disappearing';
import { Dialog } from './Dialog';

interface Props {
  conversationId: string;
  /** The current timer (0 = off), as every member's workstation has it. */
  seconds: number;
  /** The policy's longest timer; null until the conversation list has said. */
  maxSeconds: number | null;
  /** A group still loading: the control shows the timer but cannot be opened yet. */
  disabled: boolean;
  onChanged(conversation: ConversationSummary): void;
}

/**
 * The conversation header's "Disappearing messages" control: the timer every member has (with a
 * timer icon; the button's name says it in words), and a dialog of the choices. Choices longer
 * than the organisation keeps messages are disabled, with the reason beside them and above.
 */
export function DisappearingControl({ conversationId, seconds, maxSeconds, disabled, onChanged }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className={`button button--small conversation__timer ${seconds > 0 ? 'is-on' : ''}`}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        disabled={disabled || maxSeconds === null}
        title="Disappearing messages"
      >
        <TimerIcon />
        <span className="sr-only">Disappearing messages: </span>
        {timerLabel(seconds)}
      </button>
      {open && maxSeconds !== null && (
        <TimerDialog
          conversationId={conversationId}
          seconds={seconds}
          maxSeconds={maxSeconds}
          onClose={() => setOpen(false)}
          onChanged={(c) => {
            setOpen(false);
            onChanged(c);
          }}
        />
      )}
    </>
  );
}

/** The timer without the control, for a group the clinician has left: icon plus words. */
export function TimerBadge({ seconds }: { seconds: number }) {
  return (
    <span className="badge conversation__timer-badge">
      <TimerIcon />
      <span className="sr-only">Disappearing messages: </span>
      {timerLabel(seconds)}
    </span>
  );
}

function TimerDialog(props: { conversationId: string; seconds: number; maxSeconds: number; onClose(): void; onChanged(c: ConversationSummary): void }) {
  const { conversationId, seconds, maxSeconds, onClose, onChanged } = props;
  const [choice, setChoice] = useState(seconds);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonId = useId();
  const limited = TIMER_CHOICES_SECONDS.some((s) => s > maxSeconds);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await call(() => window.wardline.conversations.setDisappearing({ conversationId, seconds: choice }));
    setBusy(false);
    if (result.ok) onChanged(result.value);
    else setError(result.error.message);
  }

  return (
    <Dialog title="Disappearing messages" onClose={onClose}>
      <form onSubmit={(e) => void save(e)}>
        <p>
          New messages in this conversation are deleted from every member’s workstations this long after they arrive. Everyone in the conversation
          sees the change.
        </p>
        {limited && (
          <p className="field__hint" id={reasonId}>
            {capReason(maxSeconds)}, so longer times cannot be chosen.
          </p>
        )}
        <fieldset className="fieldset" disabled={busy}>
          <legend>Delete new messages after</legend>
          {[0, ...TIMER_CHOICES_SECONDS].map((s) => {
            const tooLong = s > maxSeconds;
            return (
              <label key={s} className="choice">
                <input
                  type="radio"
                  name="disappearing"
                  value={s}
                  checked={choice === s}
                  disabled={tooLong}
                  aria-describedby={tooLong ? reasonId : undefined}
                  onChange={() => setChoice(s)}
                  data-autofocus={choice === s && !tooLong ? true : undefined}
                />
                <span className="choice__label">{s === 0 ? 'Off' : timerLabel(s)}</span>
                {tooLong && <span className="choice__hint">{capReason(maxSeconds)}</span>}
              </label>
            );
          })}
        </fieldset>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p className="groupform__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || choice === seconds}>
            {busy ? 'Setting…' : 'Set'}
          </button>
        </p>
      </form>
    </Dialog>
  );
}

function TimerIcon() {
  return (
    <svg className="conversation__timer-icon" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="9" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M8 6v3l2 1.5M6.5 1.5h3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}
