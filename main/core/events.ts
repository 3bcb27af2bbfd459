import { EVENT_NAMES } from '../../protocol/channels';
import type { EventName } from '../../protocol/channels';
import type { PayloadOf } from '../../protocol/contract';

type Listener<E extends EventName> = (payload: PayloadOf<E>) => void;

/**
 * The events main sends to the renderer, typed by the contract. Hosts (Electron's webContents,
 * the web host's sockets) subscribe once and forward; core code only emits.
 */
export class CoreEvents {
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Forwards every event, for hosts that relay all of them to the page. */
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    const offs = EVENT_NAMES.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }

  emit<E extends EventName>(event: E, payload: PayloadOf<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        // One broken listener (a closed window, a dropped socket) must not stop the others.
        console.error(`listener for ${event} failed:`, err);
      }
    }
  }
}

