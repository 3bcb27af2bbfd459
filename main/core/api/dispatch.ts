import { isMethodName } from '../../../protocol/channels';
import type { MethodName } from '../../../protocol/channels';
import { methods } from '../../../protocol/contract';
import type { OutputOf, ParsedInputOf } from '../../../protocol/contract';
import { fail, ok } from '../../../protocol/result';
import type { Result } from '../../../protocol/result';
import { ApiError } from './errors';
import { translate } from './translate';

export type Handler<M extends MethodName> = (input: ParsedInputOf<M>) => Promise<OutputOf<M>> | OutputOf<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

export type Dispatch = (method: unknown, input: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Where unexpected errors go; never to the renderer. */
  log?: (message: string, err: unknown) => void;
}

/**
 * The one gate between a host (Electron IPC, the web host's socket) and the handlers: an
 * unknown method or an input that fails its schema is answered with an error and reaches no
 * handler; a handler's unexpected exception is logged here and answered without its stack.
 */
export function createDispatch(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  const log = options.log ?? ((message, err) => console.error(message, err));
  return async (method, input) => {
    if (!isMethodName(method)) {
      return fail('unknown_method', `Wardline has no method called ${describe(method)}.`);
    }
    const parsed = methods[method].input.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return fail('invalid_input', `Invalid input for ${method}${where}: ${issue?.message ?? 'rejected'}.`);
    }
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown> | unknown;
      return ok(await handler(parsed.data));
    } catch (err) {
      const expected = err instanceof ApiError ? err : translate(err);
      if (expected) {
        const result = fail(expected.code, expected.message);
        if (!result.ok && expected.attemptsLeft !== undefined) result.error.attemptsLeft = expected.attemptsLeft;
        return result;
      }
      log(`handler ${method} failed`, err);
      return fail('internal', 'Something went wrong inside Wardline. The details are in the application log.');
    }
  };
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(a ${typeof value}, not a name)`;
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}
