import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Me, SettingsView } from '../../../protocol/models';
import { Field, PIN_INPUT, pinProblem } from '../components/Field';
import { useResult } from '../hooks/useResult';
import { call } from '../lib/call';

interface Props {
  onEnrolled(me: Me): void;
  onCancel(): void;
  /** Shown when enrolling again after a profile was erased. */
  replacing?: string | null;
}

/** The contract's own floor for a PIN, used when the policy cannot be read. */
const CONTRACT_MIN_PIN = 4;

type Errors = Partial<Record<'relay' | 'code' | 'pin' | 'repeat', string>>;

/**
 * Adding a profile: the relay address (fixed by policy when the organisation sets it), the code
 * IT handed out, and a PIN typed twice. PINs stay in the inputs, never in React state.
 */
export function Enrol({ onEnrolled, onCancel, replacing }: Props) {
  const [policy] = useResult(() => window.wardline.policy.settings());
  const settings: SettingsView | null = policy.state === 'ready' ? policy.value : null;
  const relaySetting = settings?.relayUrl ?? null;
  const relayLocked = relaySetting?.locked === true && relaySetting.value !== null;
  const minPin = Math.max(settings?.minPinLength ?? CONTRACT_MIN_PIN, CONTRACT_MIN_PIN);

  const [relay, setRelay] = useState('');
  const [code, setCode] = useState('');
  const pin = useRef<HTMLInputElement>(null);
  const repeat = useRef<HTMLInputElement>(null);
  const relayRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);
  // Prefill once the policy arrives; a locked address always shows the policy's value.
  useEffect(() => {
    if (relaySetting?.value) setRelay((current) => (relayLocked || current === '' ? (relaySetting.value ?? '') : current));
  }, [relaySetting?.value, relayLocked]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const pinValue = pin.current?.value ?? '';
    const found: Errors = {};
    if (!isUrl(relay)) found.relay = 'Enter the relay address IT gave you, starting with https://';
    if (code.trim().length < 4) found.code = 'Enter the enrolment code (at least 4 characters).';
    const pinError = pinProblem(pinValue, minPin);
    if (pinError) found.pin = pinError;
    else if (pinValue !== repeat.current?.value) found.repeat = 'The two PINs are different. Type the same PIN twice.';
    setErrors(found);
    setFailure(null);
    const firstBad = found.relay ? relayRef : found.code ? codeRef : found.pin ? pin : found.repeat ? repeat : null;
    if (firstBad) {
      firstBad.current?.focus();
      return;
    }
    setBusy(true);
    const result = await call(() => window.wardline.profiles.enrol({ relayUrl: relay.trim(), code: code.trim(), pin: pinValue }));
    setBusy(false);
    if (pin.current) pin.current.value = '';
    if (repeat.current) repeat.current.value = '';
    if (result.ok) return onEnrolled(result.value);
    setFailure(result.error.message);
    pin.current?.focus();
  }

  return (
    <main className="auth auth--wide" aria-labelledby="enrol-title">
      <button type="button" className="button button--quiet auth__back" onClick={onCancel}>
        ← Back to profiles
      </button>
      <div className="auth__card auth__card--left">
        <h1 id="enrol-title" className="auth__title" ref={heading} tabIndex={-1}>
          Add a profile
        </h1>
        <p className="auth__lead">
          {replacing ? `Enrol ${replacing} again with a new code from IT. ` : ''}Enrol this workstation with the code IT gave you, then choose a PIN.
        </p>
        <form className="auth__form" onSubmit={submit} noValidate>
          <Field
            ref={relayRef}
            label="Relay address"
            type="url"
            name="relay"
            autoComplete="off"
            spellCheck={false}
            value={relay}
            onChange={(e) => setRelay(e.target.value)}
            readOnly={relayLocked || busy}
            hint={relayLocked ? 'Set by your organisation' : 'The address of your hospital’s Wardline relay.'}
            error={errors.relay}
          />
          <Field
            ref={codeRef}
            label="Enrolment code"
            name="code"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            readOnly={busy}
            hint="A one-time code from IT, for you only."
            error={errors.code}
          />
          <fieldset className="fieldset">
            <legend>Choose a PIN</legend>
            <Field
              {...PIN_INPUT}
              ref={pin}
              label="PIN"
              name="pin"
              readOnly={busy}
              error={errors.pin}
              hint={`Digits only, at least ${minPin} digits. Not your date of birth or staff number.${
                settings ? ` After ${settings.maxPinAttempts} wrong PINs this profile is erased.` : ''
              }`}
            />
            <Field {...PIN_INPUT} ref={repeat} label="PIN again" name="repeat" readOnly={busy} error={errors.repeat} />
          </fieldset>
          {failure && (
            <p role="alert" className="error">
              {failure}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy ? 'Enrolling…' : 'Enrol'}
            </button>
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}

function isUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'wss:' || url.protocol === 'ws:';
  } catch {
    return false;
  }
}
