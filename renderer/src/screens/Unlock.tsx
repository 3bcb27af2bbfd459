import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Me, ProfileSummary } from '../../../protocol/models';
import type { ApiErrorBody } from '../../../protocol/result';
import { Avatar } from '../components/Avatar';
import { Field, PIN_INPUT } from '../components/Field';
import { call } from '../lib/call';
import { plural } from '../lib/format';

interface Props {
  profile: ProfileSummary;
  onUnlocked(me: Me): void;
  onBack(): void;
  onEnrolAgain(): void;
}

type Failure = { kind: 'wrong'; attemptsLeft: number | null } | { kind: 'erased' } | { kind: 'other'; message: string };

/**
 * One clinician's PIN. The PIN lives only in the input element and the one call that carries it:
 * never in React state, and the field is cleared after every try.
 */
export function Unlock({ profile, onUnlocked, onBack, onEnrolAgain }: Props) {
  const pin = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(profile.state === 'erased' ? { kind: 'erased' } : null);

  useEffect(() => pin.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = pin.current;
    if (!input || busy) return;
    const value = input.value;
    if (!/^[0-9]{4,32}$/.test(value)) {
      setFailure({ kind: 'other', message: 'A PIN is 4 to 32 digits.' });
      input.focus();
      return;
    }
    setBusy(true);
    const result = await call(() => window.wardline.profiles.unlock({ profileId: profile.id, pin: value }));
    input.value = '';
    setBusy(false);
    if (result.ok) return onUnlocked(result.value);
    setFailure(describe(result.error));
    input.focus();
  }

  const erased = failure?.kind === 'erased';
  return (
    <main className="auth" aria-labelledby="unlock-title">
      <button type="button" className="button button--quiet auth__back" onClick={onBack}>
        ← Not you? Choose another profile
      </button>
      <div className="auth__card">
        <Avatar name={profile.displayName} size="l" />
        <h1 id="unlock-title" className="auth__title">
          {profile.displayName}
        </h1>
        {erased ? (
          <div className="auth__erased" role="alert">
            <p className="error">Erased after too many wrong PINs: enrol again.</p>
            <p>The messages on this workstation can no longer be opened. Ask IT for a new enrolment code.</p>
            <button type="button" className="button button--primary" onClick={onEnrolAgain}>
              Enrol again
            </button>
          </div>
        ) : (
          <form className="auth__form" onSubmit={submit} noValidate>
            <Field
              {...PIN_INPUT}
              ref={pin}
              label="PIN"
              name="pin"
              readOnly={busy}
              error={failure ? failureText(failure) : null}
              hint="Your PIN opens only your own messages."
            />
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy ? 'Unlocking…' : 'Unlock'}
            </button>
            {failure && (
              <p className="sr-only" role="alert">
                {failureText(failure)}
              </p>
            )}
          </form>
        )}
      </div>
    </main>
  );
}

function describe(error: ApiErrorBody): Failure {
  if (error.code === 'erased') return { kind: 'erased' };
  if (error.code === 'wrong_pin') return { kind: 'wrong', attemptsLeft: error.attemptsLeft ?? null };
  return { kind: 'other', message: error.message };
}

function failureText(failure: Failure): string {
  if (failure.kind === 'other') return failure.message;
  if (failure.kind === 'erased') return 'Erased after too many wrong PINs: enrol again.';
  if (failure.attemptsLeft === null) return 'Wrong PIN.';
  if (failure.attemptsLeft <= 0) return 'Wrong PIN. No attempts left.';
  return `Wrong PIN. ${plural(failure.attemptsLeft, 'attempt')} left before this profile is erased.`;
}
