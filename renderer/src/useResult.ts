import { useCallback, useEffect, useState } from 'react';
import type { ApiErrorBody, Result } from '../../protocol/result';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: ApiErrorBody };

/** Runs a bridge call on mount and on reload(); the renderer never sees exceptions, only Results. */
export function useResult<T>(call: () => Promise<Result<T>>): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => {
    let live = true;
    call().then(
      (result) => live && setValue(result.ok ? { state: 'ready', value: result.value } : { state: 'failed', error: result.error }),
      () => live && setValue({ state: 'failed', error: { code: 'unavailable', message: 'Wardline could not be reached.' } }),
    );
    return () => {
      live = false;
    };
    // `call` is a bridge method, so re-running on `generation` alone is what reload() asks for.
  }, [generation]);
  return [value, reload];
}
