import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildBridge } from '../../../protocol/bridge';
import { EVENT_NAMES, METHOD_NAMES } from '../../../protocol/channels';
import { events, methods } from '../../../protocol/contract';
import { createIpcTransport } from '../../../preload/transport';
import type { IpcRendererLike } from '../../../preload/transport';

/** A fake of ipcRenderer that records invokes and lets the test emit events with an Electron-like event object. */
class FakeIpcRenderer implements IpcRendererLike {
  invoked: { channel: string; args: unknown[] }[] = [];
  listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  async invoke(channel: string, ...args: unknown[]) {
    this.invoked.push({ channel, args });
    return { ok: true, value: `answer:${channel}` };
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
    this.listeners.get(channel)?.delete(listener);
  }
  emit(channel: string, payload: unknown) {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'ELECTRON-INTERNALS', ports: [] }, payload);
  }
}

const exposed: Record<string, unknown> = {};
const fakeIpc = new FakeIpcRenderer();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
  ipcRenderer: fakeIpc,
}));

describe('the contract', () => {
  it('declares exactly the channel names the preload exposes', () => {
    expect(Object.keys(methods).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort());
  });
});

describe('preload', () => {
  beforeEach(() => {
    fakeIpc.invoked = [];
    fakeIpc.listeners.clear();
  });

  it('exposes window.wardline only, with one function per method and one onX per event', async () => {
    await import('../../../preload/index');
    expect(Object.keys(exposed)).toEqual(['wardline']);
    const api = exposed.wardline as Record<string, Record<string, unknown>>;
    const surface = Object.entries(api).flatMap(([area, fns]) => Object.keys(fns).map((fn) => `${area}.${fn}`)).sort();
    const expected = [
      ...METHOD_NAMES,
      ...EVENT_NAMES.map((e) => e.replace(/\.(\w)/, (_m, c: string) => `.on${c.toUpperCase()}`)),
    ].sort();
    expect(surface).toEqual(expected);
    // Only contract names exist (checked above); in particular no generic way in at the top level.
    for (const forbidden of ['invoke', 'send', 'on', 'ipcRenderer', 'require']) expect(Object.keys(api)).not.toContain(forbidden);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends a method call on its own channel with one argument', async () => {
    const transport = createIpcTransport(fakeIpc);
    const api = buildBridge(transport.invoke, transport.subscribe);
    await expect(api.profiles.list()).resolves.toEqual({ ok: true, value: 'answer:profiles.list' });
    expect(fakeIpc.invoked).toEqual([{ channel: 'profiles.list', args: [{}] }]);
  });

  it('hands listeners the payload only, never the Electron event, and unsubscribes', () => {
    const transport = createIpcTransport(fakeIpc);
    const api = buildBridge(transport.invoke, transport.subscribe);
    const seen: unknown[][] = [];
    const off = api.profiles.onChanged((...args: unknown[]) => seen.push(args));
    fakeIpc.emit('profiles.changed', [{ id: 'p' }]);
    expect(seen).toEqual([[[{ id: 'p' }]]]);
    off();
    fakeIpc.emit('profiles.changed', []);
    expect(seen).toHaveLength(1);
    expect(fakeIpc.listeners.get('profiles.changed')?.size).toBe(0);
  });

  it('refuses a channel outside the contract even if asked directly', async () => {
    const transport = createIpcTransport(fakeIpc);
    await expect(transport.invoke('sql.run' as never, {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(() => transport.subscribe('anything' as never, () => undefined)).toThrow(/Not a Wardline event/);
    expect(fakeIpc.invoked).toEqual([]);
  });

  it('answers unavailable instead of throwing when main does not answer', async () => {
    const broken: IpcRendererLike = { ...fakeIpc, invoke: () => Promise.reject(new Error('boom')), on: () => undefined, removeListener: () => undefined };
    const transport = createIpcTransport(broken);
    await expect(transport.invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
