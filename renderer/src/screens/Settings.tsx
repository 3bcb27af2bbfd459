import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Me, NotificationLevel, SettingsView } from '../../../protocol/models';
import { Field, PIN_INPUT, pinProblem } from '../components/Field';
import type { Loadable } from '../hooks/useResult';
import { call } from '../lib/call';

interface Props {
  me: Me;
  settings: Loadable<SettingsView>;
  onSettings(next: SettingsView): void;
  onReload(): void;
  onLock(): void;
  /** Changing the PIN erased the profile (too many wrong current PINs). */
  onErased(): void;
}

const LEVELS: { value: NotificationLevel; label: string; hint: string }[] = [
  { value: 'none', label: 'No notifications', hint: 'Nothing appears outside Wardline.' },
  { value: 'sender', label: 'Sender only', hint: '“New message from Dr Okafor”, without the text.' },
  { value: 'full', label: 'Sender and message', hint: 'Shows the text: anyone near the screen can read it.' },
];

const LEVEL_RANK: Record<NotificationLevel, number> = { none: 0, sender: 1, full: 2 };
const levelLabel = (level: NotificationLevel) => LEVELS.find((l) => l.value === level)?.label ?? level;

const IDLE_CHOICES = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 240];
const BY_ORGANISATION = 'Set by your organisation';

/** The open profile's settings: notifications, idle lock, PIN, and lock now. */
export function Settings({ me, settings, onSettings, onReload, onLock, onErased }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  useEffect(() => heading.current?.focus(), []);

  async function update(change: { notificationLevel?: NotificationLevel; idleLockMinutes?: number }) {
    setSaved(null);
    setSaveError(null);
    const result = await call(() => window.wardline.settings.update(change));
    if (result.ok) {
      onSettings(result.value);
      setSaved('Saved.');
    } else setSaveError(`Not saved: ${result.error.message}`);
  }

  return (
    <section className="page settings" aria-labelledby="settings-title">
      <h2 id="settings-title" className="page__title" ref={heading} tabIndex={-1}>
        Settings
      </h2>
      <p className="muted">
        Signed in as <strong>{me.displayName}</strong> ({me.username}) on this workstation.
      </p>

      {settings.state === 'loading' && <p role="status">Loading settings…</p>}
      {settings.state === 'failed' && (
        <div role="alert">
          <p className="error">Settings could not be loaded: {settings.error.message}</p>
          <button type="button" className="button button--small" onClick={onReload}>
            Try again
          </button>
        </div>
      )}
      {settings.state === 'ready' && <Preferences view={settings.value} onChange={update} />}
      <p role="status" className="muted">
        {saved}
      </p>
      {saveError && (
        <p role="alert" className="error">
          {saveError}
        </p>
      )}

      <ChangePin minLength={settings.state === 'ready' ? settings.value.minPinLength : 4} onErased={onErased} />

      <section className="settings__group" aria-labelledby="lock-title">
        <h3 id="lock-title">Lock</h3>
        <p className="muted">Lock whenever you step away. Your messages stay encrypted until you enter your PIN again.</p>
        <button type="button" className="button button--primary" onClick={onLock}>
          Lock now
        </button>
      </section>
    </section>
  );
}

function Preferences({ view, onChange }: { view: SettingsView; onChange(change: { notificationLevel?: NotificationLevel; idleLockMinutes?: number }): void }) {
  const idleId = useId();
  const max = view.maxIdleLockMinutes;
  const choices = [...new Set([...IDLE_CHOICES.filter((m) => m <= max), Math.min(view.idleLockMinutes.value, max), max])].sort((a, b) => a - b);
  return (
    <>
      <fieldset className="settings__group fieldset">
        <legend>Notifications</legend>
        {/* The policy's level is a ceiling: a clinician may always reveal less, never more. */}
        <p className="field__hint">
          {view.notificationLevel.locked ? `${BY_ORGANISATION}: at most “${levelLabel(view.maxNotificationLevel)}”.` : `Your organisation allows at most “${levelLabel(view.maxNotificationLevel)}”.`}
        </p>
        {LEVELS.map((level) => (
          <label key={level.value} className="choice">
            <input
              type="radio"
              name="notificationLevel"
              value={level.value}
              checked={view.notificationLevel.value === level.value}
              disabled={LEVEL_RANK[level.value] > LEVEL_RANK[view.maxNotificationLevel]}
              onChange={() => onChange({ notificationLevel: level.value })}
            />
            <span className="choice__label">{level.label}</span>
            <span className="choice__hint">{level.hint}</span>
          </label>
        ))}
      </fieldset>

      <div className="settings__group">
        <label htmlFor={idleId} className="field__label">
          Lock after inactivity
        </label>
        <p className="field__hint" id={`${idleId}-hint`}>
          {/* Policy sets the longest time; a clinician may always lock sooner, never later. */}
          {view.idleLockMinutes.locked
            ? `${BY_ORGANISATION}: at most ${minutes(max)}. You may choose a shorter time.`
            : `Your organisation allows at most ${minutes(max)}. You may choose a shorter time.`}
        </p>
        <select
          id={idleId}
          className="field__input field__input--short"
          value={view.idleLockMinutes.value}
          aria-describedby={`${idleId}-hint`}
          onChange={(e) => onChange({ idleLockMinutes: Math.min(Number(e.target.value), max) })}
        >
          {choices.map((m) => (
            <option key={m} value={m}>
              {minutes(m)}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

function ChangePin({ minLength, onErased }: { minLength: number; onErased(): void }) {
  const current = useRef<HTMLInputElement>(null);
  const next = useRef<HTMLInputElement>(null);
  const repeat = useRef<HTMLInputElement>(null);
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const currentPin = current.current?.value ?? '';
    const newPin = next.current?.value ?? '';
    const found: typeof errors = {};
    if (!/^[0-9]{4,32}$/.test(currentPin)) found.current = 'Enter your current PIN.';
    const problem = pinProblem(newPin, Math.max(minLength, 4));
    if (problem) found.next = problem;
    else if (newPin !== repeat.current?.value) found.repeat = 'The two new PINs are different.';
    else if (newPin === currentPin) found.next = 'Choose a PIN different from the current one.';
    setErrors(found);
    setOutcome(null);
    if (found.current) return current.current?.focus();
    if (found.next) return next.current?.focus();
    if (found.repeat) return repeat.current?.focus();
    setBusy(true);
    const result = await call(() => window.wardline.profiles.changePin({ currentPin, newPin }));
    setBusy(false);
    for (const input of [current, next, repeat]) if (input.current) input.current.value = '';
    if (result.ok) return setOutcome({ ok: true, text: 'Your PIN has been changed. Use the new PIN from now on.' });
    if (result.error.code === 'erased') return onErased();
    if (result.error.code === 'wrong_pin') {
      const left = result.error.attemptsLeft;
      setErrors({ current: `Wrong current PIN.${left !== undefined ? ` ${left} attempt${left === 1 ? '' : 's'} left before this profile is erased.` : ''}` });
      return current.current?.focus();
    }
    setOutcome({ ok: false, text: `PIN not changed: ${result.error.message}` });
  }

  return (
    <section className="settings__group" aria-labelledby="pin-title">
      <h3 id="pin-title">Change PIN</h3>
      <form className="auth__form" onSubmit={submit} noValidate>
        <Field {...PIN_INPUT} ref={current} label="Current PIN" readOnly={busy} error={errors.current} />
        <Field {...PIN_INPUT} ref={next} label="New PIN" readOnly={busy} error={errors.next} hint={`Digits only, at least ${Math.max(minLength, 4)} digits.`} />
        <Field {...PIN_INPUT} ref={repeat} label="New PIN again" readOnly={busy} error={errors.repeat} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Changing…' : 'Change PIN'}
        </button>
        {outcome && (
          <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'success' : 'error'}>
            {outcome.text}
          </p>
        )}
      </form>
    </section>
  );
}

function minutes(n: number): string {
  return n % 60 === 0 && n >= 60 ? `${n / 60} hour${n === 60 ? '' : 's'}` : `${n} minute${n === 1 ? '' : 's'}`;
}
