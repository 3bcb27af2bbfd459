import { useEffect, useState } from 'react';
import type { DirectoryUser } from '../../../protocol/models';
import { call } from '../lib/call';

export type DirectorySearch =
  | { state: 'idle' }
  | { state: 'searching' }
  | { state: 'ready'; users: DirectoryUser[] }
  | { state: 'failed'; message: string };

/** Typing pauses this long before the directory is asked, so one name is one request. */
const DEBOUNCE_MS = 250;

/** The organisation's directory searched by name as the clinician types (new conversation, group pickers). */
export function useDirectorySearch(query: string): DirectorySearch {
  const [found, setFound] = useState<DirectorySearch>({ state: 'idle' });
  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound({ state: 'idle' });
    let live = true;
    setFound({ state: 'searching' });
    const timer = window.setTimeout(async () => {
      const result = await call(() => window.wardline.directory.search({ query: q.slice(0, 64) }));
      if (!live) return;
      setFound(result.ok ? { state: 'ready', users: result.value } : { state: 'failed', message: result.error.message });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [query]);
  return found;
}
