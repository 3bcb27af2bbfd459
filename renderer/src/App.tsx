import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { LockReason, Me, ProfileSummary } from '../../protocol/models';
import { call } from './lib/call';
import { Enrol } from './screens/Enrol';
import { Shell } from './screens/Shell';
import { Unlock } from './screens/Unlock';
import { WhoIsHere } from './screens/WhoIsHere';

type Notice = { text: string; tone: 'info' | 'error' };

type Screen =
  | { name: 'starting' }
  | { name: 'who'; notice: Notice | null }
  | { name: 'unlock'; profile: ProfileSummary }
  | { name: 'enrol'; replacing: string | null }
  /** `session` changes on every unlock, so nothing of one session's React state outlives it. */
  | { name: 'open'; me: Me; session: number };

const REASON: Record<LockReason, string> = {
  user: 'was locked',
  idle: 'was locked after inactivity',
  'os-lock': 'was locked because the workstation was locked',
  suspend: 'was locked because the workstation went to sleep',
  'user-switch': 'was locked because the Windows user changed',
  shortcut: 'was locked with the keyboard shortcut',
  'remote-wipe': 'was erased on your organisation\'s instruction (this workstation was removed from Wardline)',
};

/**
 * The workstation's screens: who is here -> unlock or enrol -> the open profile. Every message,
 * conversation and attachment lives inside <Shell>, so leaving the 'open' state unmounts all of
 * it: on a lock, nothing a clinician read stays in the DOM or in React's memory.
 */
export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'starting' });
  const sessions = useRef(0);
  // The profile this window dropped itself (Lock button, shortcut), for main's locked event that
  // follows: its notice names them too, rather than "The profile".
  const droppedBy = useRef<{ profileId: string; name: string } | null>(null);
  const openName = screen.name === 'open' ? screen.me.displayName : null;

  const open = useCallback((me: Me) => {
    sessions.current += 1;
    droppedBy.current = null;
    setScreen({ name: 'open', me, session: sessions.current });
  }, []);

  // A renderer reload while a profile is open (main still holds it) goes straight back in.
  useEffect(() => {
    let live = true;
    void call(() => window.wardline.profiles.current()).then((result) => {
      if (!live) return;
      if (result.ok && result.value) open(result.value);
      else setScreen((s) => (s.name === 'starting' ? { name: 'who', notice: null } : s));
    });
    return () => {
      live = false;
    };
  }, [open]);

  // Main says the profile is locked (idle, OS lock, sleep, shortcut, another window): drop it
  // synchronously, before this event handler returns, not on React's next convenient frame.
  // The event can arrive late (a lock takes a moment): by then the clinician may be typing the
  // next PIN, or be in another profile, and an old profile's lock must not throw them out.
  useEffect(
    () =>
      window.wardline.profiles.onLocked(({ profileId, reason }) => {
        const dropped = droppedBy.current?.profileId === profileId ? droppedBy.current : null;
        if (dropped) droppedBy.current = null;
        flushSync(() =>
          setScreen((s) => {
            if (s.name === 'open' && s.me.profileId !== profileId) return s;
            if (s.name !== 'open' && !(s.name === 'who' && dropped)) return s;
            const name = s.name === 'open' ? s.me.displayName : dropped?.name;
            return { name: 'who', notice: { text: `${name ? `${name}’s profile` : 'The profile'} ${REASON[reason] ?? 'was locked'}.`, tone: 'info' } };
          }),
        );
      }),
    [],
  );

  useEffect(() => {
    document.title = openName ? `Wardline — ${openName}` : 'Wardline';
  }, [openName]);

  const lock = useCallback(async (me: Me, reason: 'user' | 'shortcut' = 'user') => {
    droppedBy.current = { profileId: me.profileId, name: me.displayName };
    flushSync(() => setScreen({ name: 'who', notice: { text: `${me.displayName}’s profile ${REASON[reason]}.`, tone: 'info' } }));
    const result = await call(() => window.wardline.profiles.lock({ reason }));
    if (!result.ok) {
      droppedBy.current = null;
      setScreen({ name: 'who', notice: { text: `Wardline could not confirm the lock: ${result.error.message}`, tone: 'error' } });
    }
  }, []);

  // The hide-everything shortcut, Ctrl+Shift+L (Cmd+Shift+L on a Mac). Electron's main catches it
  // before the page does; in the web host this is what sees it.
  const openMe = screen.name === 'open' ? screen.me : null;
  useEffect(() => {
    if (!openMe) return;
    const mac = /Mac|iPhone|iPad/.test(navigator.platform);
    function onKey(event: KeyboardEvent) {
      const primary = mac ? event.metaKey : event.ctrlKey;
      if (!primary || !event.shiftKey || event.altKey || event.key.toLowerCase() !== 'l') return;
      event.preventDefault();
      if (!event.repeat && openMe) void lock(openMe, 'shortcut');
    }
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [openMe, lock]);

  return (
    <div className="app">
      {screen.name === 'starting' && (
        <p className="app__starting" role="status">
          Starting Wardline…
        </p>
      )}
      {screen.name === 'who' && (
        <WhoIsHere
          notice={screen.notice}
          onAddProfile={() => setScreen({ name: 'enrol', replacing: null })}
          onChoose={(profile) => setScreen({ name: 'unlock', profile })}
        />
      )}
      {screen.name === 'unlock' && (
        <Unlock
          profile={screen.profile}
          onUnlocked={open}
          onBack={() => setScreen({ name: 'who', notice: null })}
          onEnrolAgain={() => setScreen({ name: 'enrol', replacing: screen.profile.displayName })}
        />
      )}
      {screen.name === 'enrol' && (
        <Enrol replacing={screen.replacing} onEnrolled={open} onCancel={() => setScreen({ name: 'who', notice: null })} />
      )}
      {screen.name === 'open' && (
        <Shell
          key={screen.session}
          me={screen.me}
          onLock={() => void lock(screen.me)}
          onErased={() =>
            flushSync(() =>
              setScreen({ name: 'who', notice: { text: `${screen.me.displayName}’s profile was erased after too many wrong PINs: enrol again.`, tone: 'error' } }),
            )
          }
        />
      )}
    </div>
  );
}
