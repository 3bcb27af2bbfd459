import { useEffect } from 'react';
import { call } from '../lib/call';

/** At most one ping per this many milliseconds: the idle limit is in minutes, so 5 s is exact enough. */
export const ACTIVITY_PING_MS = 5_000;

/**
 * Tells main the clinician is here (workstation.activity), for the web host's idle clock: it has
 * no OS idle time and counts from the last ping. The first input after a quiet spell is sent at
 * once and later input within ACTIVITY_PING_MS is dropped, so a warning always goes away on the
 * input that dismissed it. In Electron main measures idle time itself and the ping does nothing.
 * Mounted only while a profile is open.
 */
export function useActivityPing(): void {
  useEffect(() => {
    let last = -Infinity;
    const ping = () => {
      const now = performance.now();
      if (now - last < ACTIVITY_PING_MS) return;
      last = now;
      void call(() => window.wardline.workstation.activity());
    };
    // pointermove too: the warning says "move the mouse", and in Electron moving it is activity.
    const events = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, ping, { capture: true, passive: true });
    return () => {
      for (const name of events) window.removeEventListener(name, ping, { capture: true });
    };
  }, []);
}
