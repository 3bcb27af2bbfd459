import { useCallback, useEffect, useState } from 'react';
import type { ApiErrorBody, Result } from '../../../protocol/result';
import { call as settle } from '../lib/call';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: ApiErrorBody };

/**
 * Runs a bridge call on mount and on reload(); the renderer never sees exceptions, only Results.
 * `set` replaces the value in place, for events that carry the new value (profiles.changed).
 */
export function useResult<T>(call: () => Promise<Result<T>>): [Loadable<T>, () => void, (value: T) => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((next: T) => setValue({ state: 'ready', value: next }), []);
  useEffect(() => {
    let live = true;
    void settle(call).then(
      (result) => live && setValue(result.ok ? { state: 'ready', value: result.value } : { state: 'failed', error: result.error }),
    );
    return () => {
      live = false;
    };
    // `call` is a bridge method, so re-running on `generation` alone is what reload() asks for.
  }, [generation]);
  return [value, reload, set];
}
