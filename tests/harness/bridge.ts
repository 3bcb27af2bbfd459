import { buildBridge } from '../../protocol/bridge';
import type { Invoke, Subscribe } from '../../protocol/bridge';
import { fail } from '../../protocol/result';
import type { Result } from '../../protocol/result';
import type { ServerFrame } from './frames';

/**
 * The web host's stand-in for the preload: builds window.wardline with the same bridge builder,
 * carried over a WebSocket to the host instead of ipcRenderer. Loaded before the app's script.
 */
const token = document.querySelector('meta[name="wardline-harness-token"]')?.getAttribute('content') ?? '';
const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/__harness/ws?token=${encodeURIComponent(token)}`);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true });
  socket.addEventListener('error', () => reject(new Error('web host socket failed')), { once: true });
});
const pending = new Map<number, (result: Result<unknown>) => void>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let nextId = 1;

socket.addEventListener('message', (message) => {
  const frame = JSON.parse(String(message.data)) as ServerFrame;
  if (frame.type === 'result') {
    pending.get(frame.id)?.(frame.result);
    pending.delete(frame.id);
  } else if (frame.type === 'event') {
    for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
  }
});
socket.addEventListener('close', () => {
  for (const resolve of pending.values()) resolve(fail('unavailable', 'The Wardline host has stopped.'));
  pending.clear();
});

const invoke: Invoke = async (method, input) => {
  try {
    await opened;
  } catch {
    return fail('unavailable', 'Wardline could not reach its host.');
  }
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket.send(JSON.stringify({ type: 'invoke', id, method, input }));
  });
};

const subscribe: Subscribe = (event, listener) => {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
};

Object.defineProperty(window, 'wardline', { value: buildBridge(invoke, subscribe), writable: false, configurable: false });
