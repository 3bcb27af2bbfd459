import { useEffect, useState } from 'react';

/**
 * Seconds until the idle lock, counting down from main's profiles.lockWarning; null when there
 * is no warning. Any key or pointer movement is the activity main is waiting for, so the
 * warning goes away with it (useActivityPing reports the same input to main), and it goes away
 * when main withdraws it (profiles.lockWarningCleared: input main saw some other way).
 */
export function useLockWarning(): { secondsLeft: number; initial: number } | null {
  const [deadline, setDeadline] = useState<number | null>(null);
  const [initial, setInitial] = useState(0);
  const [now, setNow] = useState(() => Date.now());

  useEffect(
    () =>
      window.wardline.profiles.onLockWarning(({ secondsLeft }) => {
        setNow(Date.now());
        setInitial(secondsLeft);
        setDeadline(Date.now() + secondsLeft * 1000);
      }),
    [],
  );
  useEffect(() => window.wardline.profiles.onLockWarningCleared(() => setDeadline(null)), []);

  useEffect(() => {
    if (deadline === null) return;
    const clear = () => setDeadline(null);
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    const events = ['keydown', 'pointermove', 'pointerdown', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, clear, { passive: true });
    return () => {
      window.clearInterval(tick);
      for (const name of events) window.removeEventListener(name, clear);
    };
  }, [deadline]);

  if (deadline === null) return null;
  return { secondsLeft: Math.max(0, Math.ceil((deadline - now) / 1000)), initial };
}
