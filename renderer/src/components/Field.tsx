import { useId } from 'react';
import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  /** Always-visible help under the label (rules, "Set by your organisation"). */
  hint?: ReactNode;
  /** The field's own error; also marks it aria-invalid. */
  error?: string | null;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input with its hint and error wired to aria-describedby. */
export function Field({ label, hint, error, className, ref, ...input }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
      <input ref={ref} id={id} className="field__input" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
    </div>
  );
}

/** Props for a PIN input: digits on any keyboard, never remembered by the browser. */
export const PIN_INPUT = {
  type: 'password',
  inputMode: 'numeric',
  autoComplete: 'off',
  spellCheck: false,
  maxLength: 32,
} as const;

/** The one rule set for a new PIN: digits only, between the policy's minimum and 32. */
export function pinProblem(pin: string, minLength: number): string | null {
  if (pin.length === 0) return 'Enter a PIN.';
  if (!/^[0-9]+$/.test(pin)) return 'Use digits only.';
  if (pin.length < minLength) return `Use at least ${minLength} digits.`;
  if (pin.length > 32) return 'Use at most 32 digits.';
  return null;
}
