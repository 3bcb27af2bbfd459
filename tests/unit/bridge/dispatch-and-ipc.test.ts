import { describe, expect, it, vi } from 'vitest';
import type { Mock } from 'vitest';
import { createDispatch } from '../../../main/core/api/dispatch';
import type { Handlers } from '../../../main/core/api/dispatch';
import { ApiError } from '../../../main/core/api/errors';
import { registerIpcHandlers } from '../../../main/app/ipc';
import type { IpcEventLike, IpcMainLike } from '../../../main/app/ipc';
import { METHOD_NAMES } from '../../../protocol/channels';
import type { MethodName } from '../../../protocol/channels';

/** Handlers that only record that they ran: every test below checks whether a call got through. */
function spyHandlers() {
  const all = Object.fromEntries(METHOD_NAMES.map((name) => [name, vi.fn((): unknown => null)])) as Record<MethodName, Mock<() => unknown>>;
  all['profiles.list'].mockImplementation(() => []);
  return all as typeof all & Handlers;
}

/** A fake of ipcMain.handle / invoke with Electron's behaviour for channels that have no handler. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  invoke(channel: string, senderUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler({ senderFrame: senderUrl === null ? null : { url: senderUrl } }, ...args);
  }
}

function wire() {
  const handlers = spyHandlers();
  const log = vi.fn();
  const ipc = new FakeIpcMain();
  registerIpcHandlers(ipc, createDispatch(handlers, { log }));
  return { handlers, ipc, log };
}

const APP = 'app://wardline/index.html';

describe('ipcMain wiring', () => {
  it('registers exactly the contract methods and nothing else', () => {
    const { ipc } = wire();
    expect([...ipc.handlers.keys()].sort()).toEqual([...METHOD_NAMES].sort());
  });

  it('answers a valid call from the app origin through the handler', async () => {
    const { ipc, handlers } = wire();
    await expect(ipc.invoke('profiles.list', APP, {})).resolves.toEqual({ ok: true, value: [] });
    expect(handlers['profiles.list']).toHaveBeenCalledTimes(1);
  });

  it('leaves an unknown channel without any handler', async () => {
    const { ipc, handlers } = wire();
    await expect(ipc.invoke('sql.run', APP, { query: 'select 1' })).rejects.toThrow(/No handler registered/);
    expect(Object.values(handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['a look-alike host', 'app://wardline.evil/index.html'],
    ['user info in the URL', 'app://wardline@evil/index.html'],
    ['file://', 'file:///C:/Users/Public/index.html'],
    ['no frame', null],
    ['garbage', 'not a url'],
  ])('refuses a call from %s and reaches no handler', async (_what, url) => {
    const { ipc, handlers } = wire();
    const result = await ipc.invoke('profiles.list', url, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(handlers['profiles.list']).not.toHaveBeenCalled();
  });

  it.each([
    ['an unexpected field', { extra: 1 }],
    ['a string', 'profiles'],
    ['null', null],
    ['an array', [1, 2]],
  ])('refuses a malformed argument (%s) with invalid_input and reaches no handler', async (_what, input) => {
    const { ipc, handlers } = wire();
    const result = (await ipc.invoke('profiles.list', APP, input)) as { ok: boolean; error?: { code: string; message: string } };
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(result.error?.message).toMatch(/profiles\.list/);
    expect(handlers['profiles.list']).not.toHaveBeenCalled();
  });

  it('refuses extra positional arguments', async () => {
    const { ipc, handlers } = wire();
    await expect(ipc.invoke('profiles.list', APP, {}, {})).resolves.toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(handlers['profiles.list']).not.toHaveBeenCalled();
  });
});

describe('dispatch', () => {
  it('answers an unknown method name with unknown_method', async () => {
    const dispatch = createDispatch(spyHandlers());
    await expect(dispatch('profiles.drop', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    await expect(dispatch(42, {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    await expect(dispatch('__proto__', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('turns an unexpected exception into internal without a stack, and logs it in main', async () => {
    const handlers = spyHandlers();
    handlers['profiles.list'].mockImplementation(() => {
      throw new Error('disk on fire at /secret/path');
    });
    const log = vi.fn();
    const result = await createDispatch(handlers, { log })('profiles.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toMatch(/secret|fire|at \//);
    expect(log).toHaveBeenCalledOnce();
  });

  it('passes an expected ApiError through with its code and message', async () => {
    const handlers = spyHandlers();
    handlers['profiles.list'].mockImplementation(() => {
      throw new ApiError('locked', 'The profile is locked.');
    });
    await expect(createDispatch(handlers)('profiles.list', {})).resolves.toEqual({ ok: false, error: { code: 'locked', message: 'The profile is locked.' } });
  });
});
