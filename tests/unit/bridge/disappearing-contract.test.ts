import { describe, expect, it, vi } from 'vitest';
import type { Mock } from 'vitest';
import { createDispatch } from '../../../main/core/api/dispatch';
import type { Handlers } from '../../../main/core/api/dispatch';
import { METHOD_NAMES } from '../../../protocol/channels';
import type { MethodName } from '../../../protocol/channels';

/** Handlers that only record that they ran: a refused input must reach none of them. */
function spyHandlers() {
  return Object.fromEntries(METHOD_NAMES.map((name) => [name, vi.fn((): unknown => null)])) as Record<MethodName, Mock<() => unknown>> & Handlers;
}

const DIRECT = 'direct:3f2a9c1e-7b44-4d0e-9a51-2f6c8d0b1e77';
const FOUR_WEEKS = 28 * 24 * 60 * 60;

describe('the disappearing-messages contract', () => {
  it.each<[string, unknown]>([
    ['no conversation', { seconds: 3600 }],
    ['an empty conversation id', { conversationId: '', seconds: 3600 }],
    ['no seconds', { conversationId: DIRECT }],
    ['seconds as a string', { conversationId: DIRECT, seconds: '3600' }],
    ['a fraction of a second', { conversationId: DIRECT, seconds: 3600.5 }],
    ['a negative timer', { conversationId: DIRECT, seconds: -1 }],
    ['a timer one second over four weeks', { conversationId: DIRECT, seconds: FOUR_WEEKS + 1 }],
    ['an infinite timer', { conversationId: DIRECT, seconds: Infinity }],
    ['an extra field', { conversationId: DIRECT, seconds: 3600, setBy: 'someone-else' }],
    ['a list instead of an object', [DIRECT, 3600]],
  ])('refuses %s with invalid_input and reaches no handler', async (_what, input) => {
    const handlers = spyHandlers();
    const result = await createDispatch(handlers)('conversations.setDisappearing', input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(Object.values(handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
  });

  it.each<[string, number]>([
    ['off', 0],
    ['one hour', 3600],
    ['four weeks exactly', FOUR_WEEKS],
  ])('passes %s to its handler', async (_what, seconds) => {
    const handlers = spyHandlers();
    await expect(createDispatch(handlers)('conversations.setDisappearing', { conversationId: DIRECT, seconds })).resolves.toMatchObject({ ok: true });
    expect(handlers['conversations.setDisappearing']).toHaveBeenCalledWith({ conversationId: DIRECT, seconds });
  });

  it('answers a handler\'s RangeError (longer than policy allows) as invalid_input with its sentence', async () => {
    const handlers = spyHandlers();
    handlers['conversations.setDisappearing'].mockImplementation(() => {
      throw new RangeError('Your organisation keeps messages at most 1 week: choose a shorter time.');
    });
    const log = vi.fn();
    const result = await createDispatch(handlers, { log })('conversations.setDisappearing', { conversationId: DIRECT, seconds: FOUR_WEEKS });
    expect(result).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Your organisation keeps messages at most 1 week: choose a shorter time.' } });
    expect(log).not.toHaveBeenCalled();
  });
});
