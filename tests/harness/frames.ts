import type { EventName } from '../../protocol/channels';
import type { Result } from '../../protocol/result';

/** What the page's bridge sends over the web host's socket. */
export interface InvokeFrame {
  type: 'invoke';
  id: number;
  method: unknown;
  input: unknown;
}

export type ServerFrame =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'protocol-error'; message: string };

/**
 * Parses one frame, or null. Only the envelope is checked here; the method name and the input
 * go to the shared dispatch, which answers unknown methods and bad input exactly as over IPC.
 */
export function parseClientFrame(text: string): InvokeFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const frame = value as Record<string, unknown>;
  if (frame.type !== 'invoke' || typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id)) return null;
  return { type: 'invoke', id: frame.id, method: frame.method, input: frame.input };
}
