import { isEventName, isMethodName } from '../protocol/channels';
import type { Invoke, Subscribe } from '../protocol/bridge';
import { fail } from '../protocol/result';
import type { Result } from '../protocol/result';

/** The part of Electron's ipcRenderer the preload uses; tests pass a fake. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * Invoke and subscribe over ipcRenderer, refusing names outside the contract even though the
 * bridge never produces them (defence in depth). The Electron event object is dropped: the page
 * sees only the payload, never `event.sender`.
 */
export function createIpcTransport(ipc: IpcRendererLike): { invoke: Invoke; subscribe: Subscribe } {
  const invoke: Invoke = async (method, input) => {
    if (!isMethodName(method)) return fail('unknown_method', 'Not a Wardline method.');
    try {
      return (await ipc.invoke(method, input)) as Result<unknown>;
    } catch {
      return fail('unavailable', 'Wardline could not reach its main process.');
    }
  };
  const subscribe: Subscribe = (event, listener) => {
    if (!isEventName(event)) throw new TypeError('Not a Wardline event.');
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipc.on(event, wrapped);
    return () => {
      ipc.removeListener(event, wrapped);
    };
  };
  return { invoke, subscribe };
}
