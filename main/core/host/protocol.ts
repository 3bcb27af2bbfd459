import { isEventName } from '../../../protocol/channels';
import type { EventName } from '../../../protocol/channels';
import type { LockReason } from '../../../protocol/models';
import type { Result } from '../../../protocol/result';
import type { KdfParams } from '../vault';
import type { NotificationText } from '../workstation';

/**
 * The messages between the host (Electron's main thread, which keeps only the Electron glue) and
 * the core (a worker thread running main/core). Every message has a `t` discriminant. Each side
 * checks what the other sent with the guards below: a malformed message is logged and ignored,
 * never thrown on and never acted upon.
 */

/** The other end of the channel: a worker's parentPort, a Worker, or one port of a MessageChannel. */
export interface CorePort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * What the core is started with. Sent as workerData, so it must survive structured cloning: no
 * functions and no URL objects (hrefs instead). The Electron services stay with the host and
 * are reached through requests.
 */
export interface CoreHostInit {
  dataDir: string;
  host: 'electron' | 'web-host';
  version: string;
  /** Describes the host's provider; the secret itself is asked for at each use. */
  deviceSecret: { name: string; secure: boolean };
  allowInsecureDeviceSecret?: boolean;
  /** 'host': the host pushes `idle` samples (powerMonitor). 'page': the renderer's activity pings, as in the web host. */
  idle: 'host' | 'page';
  /** 'host': the OS clipboard, through requests. 'memory': a clipboard inside the core (web host, tests). */
  clipboard: 'host' | 'memory';
  /** True: notifications are shown by the host (`notify` / `notifyClose`). */
  notifications: boolean;
  /**
   * A policy file standing in for Group Policy (web host, tests); null: no policy at all (the web
   * host without one); absent: the platform's own sources (the registry on Windows), as in the app.
   */
  policyFile?: string | null;
  /** hrefs of the built kdf and checkpoint workers; without them the sibling sources run under tsx. */
  workers?: { kdf?: string; checkpoint?: string };
  /** Tests only: the cheapest Argon2id the vault accepts. */
  testKdf?: KdfParams;
}

export const CONTROL_OPS = ['lockNow', 'clearClipboardNow', 'policy', 'activity', 'close'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

export const REQUEST_OPS = ['deviceSecret', 'clipboard.writeText', 'clipboard.readText', 'clipboard.clear'] as const;
export type RequestOp = (typeof REQUEST_OPS)[number];

/** Written as a record so a new LockReason in protocol/models fails to compile here until it is listed. */
const LOCK_REASONS: Readonly<Record<LockReason, true>> = {
  user: true, idle: true, 'os-lock': true, suspend: true, 'user-switch': true, shortcut: true, 'remote-wipe': true,
};

export type ControlMessage =
  | { t: 'control'; id: number; op: 'lockNow'; arg: LockReason }
  | { t: 'control'; id: number; op: Exclude<ControlOp, 'lockNow'>; arg?: undefined };

/** An answer to a control or a request: a value, or the sentence saying why not. */
export type Answer = { ok: true; value?: unknown } | { ok: false; message: string; code?: string };

export type HostMessage =
  | { t: 'call'; id: number; method: unknown; input: unknown }
  | ControlMessage
  | { t: 'idle'; idleSeconds: number; osLocked: boolean }
  /** `code` carries a VaultError's code across, so the renderer still gets the right sentence. */
  | ({ t: 'reply'; id: number } & Answer);

export type CoreMessage =
  | { t: 'ready' }
  | { t: 'fatal'; message: string }
  | { t: 'result'; id: number; result: Result<unknown> }
  | ({ t: 'controlResult'; id: number } & Answer)
  | { t: 'event'; name: EventName; payload: unknown }
  | { t: 'request'; id: number; op: RequestOp; text?: string }
  | { t: 'notify'; handle: number; text: NotificationText }
  | { t: 'notifyClose'; handle: number }
  | { t: 'log'; event: string; fields?: Record<string, unknown> };

export function isHostMessage(m: unknown): m is HostMessage {
  if (!isRecord(m)) return false;
  switch (m.t) {
    case 'call':
      return isId(m.id) && 'method' in m;
    case 'control':
      if (!isId(m.id) || !(CONTROL_OPS as readonly unknown[]).includes(m.op)) return false;
      return m.op === 'lockNow' ? isLockReason(m.arg) : m.arg === undefined;
    case 'idle':
      return typeof m.idleSeconds === 'number' && m.idleSeconds >= 0 && Number.isFinite(m.idleSeconds) && typeof m.osLocked === 'boolean';
    case 'reply':
      return isId(m.id) && isAnswer(m);
    default:
      return false;
  }
}

export function isCoreMessage(m: unknown): m is CoreMessage {
  if (!isRecord(m)) return false;
  switch (m.t) {
    case 'ready':
      return true;
    case 'fatal':
      return typeof m.message === 'string';
    case 'result':
      return isId(m.id) && isResult(m.result);
    case 'controlResult':
      return isId(m.id) && isAnswer(m);
    case 'event':
      return isEventName(m.name) && 'payload' in m;
    case 'request':
      if (!isId(m.id) || !(REQUEST_OPS as readonly unknown[]).includes(m.op)) return false;
      return m.op === 'clipboard.writeText' ? typeof m.text === 'string' : m.text === undefined;
    case 'notify':
      return isId(m.handle) && isRecord(m.text) && typeof m.text.title === 'string' && typeof m.text.body === 'string';
    case 'notifyClose':
      return isId(m.handle);
    case 'log':
      return typeof m.event === 'string' && (m.fields === undefined || isRecord(m.fields));
    default:
      return false;
  }
}

export function isResult(r: unknown): r is Result<unknown> {
  if (!isRecord(r)) return false;
  if (r.ok === true) return 'value' in r;
  if (r.ok !== false || !isRecord(r.error)) return false;
  const e = r.error;
  return typeof e.code === 'string' && typeof e.message === 'string' && (e.attemptsLeft === undefined || typeof e.attemptsLeft === 'number');
}

export function isLockReason(r: unknown): r is LockReason {
  return typeof r === 'string' && Object.hasOwn(LOCK_REASONS, r);
}

/** What a malformed message looked like, for the log: its `t` at most, never its contents. */
export function describeMessage(m: unknown): string {
  if (!isRecord(m)) return m === null ? 'null' : typeof m;
  return typeof m.t === 'string' ? `t=${JSON.stringify(m.t.slice(0, 32))}` : 'an object without t';
}

function isAnswer(m: Record<string, unknown>): boolean {
  if (m.ok === true) return true;
  return m.ok === false && typeof m.message === 'string' && (m.code === undefined || typeof m.code === 'string');
}

function isId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
