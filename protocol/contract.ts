import { z } from 'zod';
import type { EventName, MethodName } from './channels';
import type { AppInfo, ProfileSummary } from './models';

/**
 * The IPC contract: every method the renderer may call, with the schema its input must pass
 * before any handler sees it and the type of its result, and every event main may send.
 * Adding a method means adding it here and in channels.ts; the `satisfies` clauses below make
 * a mismatch a compile error.
 */
declare const OUTPUT: unique symbol;
declare const PAYLOAD: unique symbol;

export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  readonly [OUTPUT]?: O;
}

export interface EventSpec<P> {
  readonly [PAYLOAD]?: P;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

function event<P>(): EventSpec<P> {
  return {};
}

/** Methods without arguments still take an object, so adding an optional field later is not a breaking change. */
const NoInput = z.object({}).strict();

export const methods = {
  'app.info': method<AppInfo>()(NoInput),
  'profiles.list': method<ProfileSummary[]>()(NoInput),
} satisfies Record<MethodName, MethodSpec<z.ZodType, unknown>>;

export const events = {
  'profiles.changed': event<ProfileSummary[]>(),
} satisfies Record<EventName, EventSpec<unknown>>;

// The reverse direction of the `satisfies` checks: no method or event beyond the channel lists.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _methodsMatch: Exact<keyof typeof methods, MethodName> = true;
const _eventsMatch: Exact<keyof typeof events, EventName> = true;
void _methodsMatch;
void _eventsMatch;

export type Methods = typeof methods;
export type Events = typeof events;
export type InputOf<M extends MethodName> = z.input<Methods[M]['input']>;
export type ParsedInputOf<M extends MethodName> = z.output<Methods[M]['input']>;
export type OutputOf<M extends MethodName> = Methods[M] extends MethodSpec<z.ZodType, infer O> ? O : never;
export type PayloadOf<E extends EventName> = Events[E] extends EventSpec<infer P> ? P : never;
