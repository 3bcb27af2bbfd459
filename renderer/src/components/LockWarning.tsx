/**
 * The idle-lock warning: a banner, not a dialog, so it never takes focus from what the clinician
 * is typing. The visible countdown ticks; screen readers hear the warning once.
 */
export function LockWarning({ secondsLeft, initial }: { secondsLeft: number; initial: number }) {
  return (
    <div className="lockwarn" role="region" aria-label="Lock warning">
      <p className="lockwarn__text" aria-hidden="true">
        Locking in {secondsLeft} s — move the mouse or press a key to stay signed in
      </p>
      <p className="sr-only" role="alert">
        Locking in {initial} s — move the mouse or press a key to stay signed in
      </p>
    </div>
  );
}
