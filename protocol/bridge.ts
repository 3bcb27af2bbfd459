import { EVENT_NAMES, METHOD_NAMES } from './channels';
import type { EventName, MethodName } from './channels';
import type { InputOf, OutputOf, PayloadOf } from './contract';
import type { Result } from './result';

/**
 * window.wardline, built from the channel lists: `wardline.profiles.list()` for the method
 * 'profiles.list', `wardline.profiles.onChanged(fn)` for the event 'profiles.changed'. The
 * Electron preload and the web host build it with the same function, so both hosts expose
 * exactly the same surface; there is no generic invoke, send or on.
 */
export type Invoke = (method: MethodName, input: unknown) => Promise<Result<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

type AreaOf<N extends string> = N extends `${infer A}.${string}` ? A : never;
type Args<M extends MethodName> = Record<string, never> extends InputOf<M> ? [input?: InputOf<M>] : [input: InputOf<M>];

export type WardlineApi = {
  readonly [A in AreaOf<MethodName | EventName>]: {
    readonly [M in MethodName as M extends `${A}.${infer V}` ? V : never]: (...args: Args<M>) => Promise<Result<OutputOf<M>>>;
  } & {
    readonly [E in EventName as E extends `${A}.${infer V}` ? `on${Capitalize<V>}` : never]: (
      listener: (payload: PayloadOf<E>) => void,
    ) => () => void;
  };
};

export function buildBridge(invoke: Invoke, subscribe: Subscribe): WardlineApi {
  const api: Record<string, Record<string, unknown>> = {};
  const areaOf = (name: string): Record<string, unknown> => {
    const area = name.slice(0, name.indexOf('.'));
    return (api[area] ??= {});
  };
  for (const name of METHOD_NAMES) {
    const verb = name.slice(name.indexOf('.') + 1);
    areaOf(name)[verb] = (input?: unknown) => invoke(name, input ?? {});
  }
  for (const name of EVENT_NAMES) {
    const verb = name.slice(name.indexOf('.') + 1);
    const key = `on${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
    areaOf(name)[key] = (listener: unknown) => {
      if (typeof listener !== 'function') throw new TypeError(`${key} expects a function`);
      return subscribe(name, listener as (payload: unknown) => void);
    };
  }
  for (const area of Object.values(api)) Object.freeze(area);
  return Object.freeze(api) as unknown as WardlineApi;
}
