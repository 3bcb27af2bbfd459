import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Dispatch } from '../api';
import { CoreEvents } from '../events';
import type { PolicyValues } from '../policy';
import { isVaultError } from '../vault';
import type { DeviceSecretProvider } from '../vault';
import type { ClipboardLike, NotificationText, ShownNotification } from '../workstation';
import type { LockReason } from '../../../protocol/models';
import { fail, ok } from '../../../protocol/result';
import type { Result } from '../../../protocol/result';
import { describeMessage, isCoreMessage } from './protocol';
import type { ControlMessage, CoreHostInit, CoreMessage, CorePort, HostMessage } from './protocol';

/** The Electron services the host keeps and lends to the core through requests. */
export interface CoreHostSide {
  deviceSecrets: DeviceSecretProvider;
  /** Electron: powerIdleSource(powerMonitor). Omit when the core uses page activity (init.idle 'page'). */
  idle?: { idleSeconds(): number; osLocked?(): boolean };
  clipboard?: ClipboardLike;
  showNotification?(text: NotificationText): ShownNotification | void;
  /** Core log lines (ids and codes only) and this channel's own complaints. Default: problemsToStderr. */
  log?(event: string, fields?: Record<string, unknown>): void;
}

/** The core as the main thread sees it: the same dispatch and event shape as an in-process core. */
export interface CoreClient {
  /** Resolves when the core is serving; rejects with the reason it could not be created. */
  readonly ready: Promise<void>;
  /** Same signature as createApi's, so registerIpcHandlers takes it unchanged. */
  readonly dispatch: Dispatch;
  readonly events: Pick<CoreEvents, 'on' | 'onAny'>;
  /** OS lock events and the hide shortcut. Answers true when a profile was open and is now locked. */
  lockNow(reason: LockReason): Promise<Result<boolean>>;
  /** At quit: takes back text Wardline put on the clipboard. */
  clearClipboardNow(): Promise<Result<boolean>>;
  /** The policy in force, for window settings (screen capture). */
  policy(): Promise<Result<PolicyValues>>;
  /** Page activity, for a core started with idle 'page'. */
  activity(): Promise<Result<null>>;
  /** Locks the open profile and takes back the clipboard; afterwards the core may be ended. */
  close(): Promise<Result<null>>;
  /** The core went away (the worker exited or failed): every call from now on answers `unavailable`. */
  disconnected(reason: string): void;
  onExit(listener: (reason: string) => void): () => void;
}

/**
 * The default log: what went wrong (handler errors, refused acknowledgements, malformed
 * messages) to stderr, routine lines (an envelope stored) dropped, as the in-process core did.
 */
export function problemsToStderr(event: string, fields?: Record<string, unknown>): void {
  if (/error|fail|warn|malformed|unexpected|not_sent|refused|dropped|uncertified|bad_|unavailable|missing/.test(event)) console.error(`core: ${event}`, fields ?? {});
}

export const CORE_STOPPED_MESSAGE = "Wardline's core stopped; restart Wardline.";

const IDLE_SAMPLE_MS = 1_000;

/** The host side of the channel: answers the core's requests and turns calls into messages. */
export function connectCore(port: CorePort, host: CoreHostSide): CoreClient {
  const log = host.log ?? problemsToStderr;
  const events = new CoreEvents();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const notifications = new Map<number, ShownNotification>();
  const exitListeners = new Set<(reason: string) => void>();
  let nextId = 1;
  let gone: string | null = null;
  // A SHA-256 of the text the core last put on the clipboard, so it can be taken back if the core dies holding it.
  let clipboardDigest: string | null = null;

  let settleReady!: { resolve(): void; reject(err: Error): void };
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  // Whoever awaits ready sees the rejection; nobody awaiting it must not crash the process.
  ready.catch(() => undefined);

  const post = (m: HostMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

  function send(m: { t: 'call'; method: unknown; input: unknown } | Omit<ControlMessage, 'id'>): Promise<Result<unknown>> {
    if (gone !== null) return Promise.resolve(fail('unavailable', CORE_STOPPED_MESSAGE));
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      try {
        post({ ...m, id } as HostMessage);
      } catch (err) {
        pending.delete(id);
        log('host.not_sent', { error: err instanceof Error ? err.message : String(err) });
        resolve(fail('invalid_input', 'That request could not be passed to Wardline\'s core.'));
      }
    });
  }

  const control = <T>(op: ControlMessage['op'], arg?: LockReason) =>
    send({ t: 'control', op, ...(arg !== undefined ? { arg } : {}) } as Omit<ControlMessage, 'id'>) as Promise<Result<T>>;

  port.on('message', (message) => {
    if (!isCoreMessage(message)) {
      // A result whose id is known but whose body is not a Result still answers its call: never a hang.
      const id = (message as { t?: unknown; id?: unknown } | null)?.t === 'result' ? (message as { id: unknown }).id : undefined;
      const waiting = typeof id === 'number' ? pending.get(id) : undefined;
      if (waiting && typeof id === 'number') {
        pending.delete(id);
        waiting(fail('internal', 'Something went wrong inside Wardline. The details are in the application log.'));
      }
      log('host.malformed_message', { from: 'core', shape: describeMessage(message) });
      return;
    }
    receive(message);
  });

  function receive(m: CoreMessage): void {
    switch (m.t) {
      case 'ready':
        settleReady.resolve();
        return;
      case 'fatal':
        settleReady.reject(new Error(m.message));
        client.disconnected(m.message);
        return;
      case 'result':
      case 'controlResult': {
        const resolve = pending.get(m.id);
        if (!resolve) return log('host.unexpected_answer', { id: m.id });
        pending.delete(m.id);
        // isCoreMessage has checked the result's shape; a malformed one was answered above.
        if (m.t === 'result') resolve(m.result);
        else resolve(m.ok ? ok(m.value) : fail('internal', m.message));
        return;
      }
      case 'event':
        events.emit(m.name, m.payload as never);
        return;
      case 'request':
        void answer(m);
        return;
      case 'notify': {
        const shown = host.showNotification?.(m.text);
        if (shown) notifications.set(m.handle, shown);
        return;
      }
      case 'notifyClose':
        notifications.get(m.handle)?.close();
        notifications.delete(m.handle);
        return;
      case 'log':
        log(m.event, m.fields);
        return;
    }
  }

  async function answer(m: Extract<CoreMessage, { t: 'request' }>): Promise<void> {
    try {
      switch (m.op) {
        case 'deviceSecret': {
          const secret = await host.deviceSecrets.getOrCreate();
          // A fresh buffer of exactly the secret's length is transferred, so no copy made here
          // stays on this thread; the provider's own copy is wiped.
          const copy = new Uint8Array(secret);
          secret.fill(0);
          post({ t: 'reply', id: m.id, ok: true, value: copy }, [copy.buffer]);
          return;
        }
        case 'clipboard.writeText':
          await requireClipboard().writeText(m.text ?? '');
          clipboardDigest = m.text ? digest(m.text) : null;
          break;
        case 'clipboard.readText':
          post({ t: 'reply', id: m.id, ok: true, value: await requireClipboard().readText() });
          return;
        case 'clipboard.clear':
          await requireClipboard().clear();
          clipboardDigest = null;
          break;
      }
      post({ t: 'reply', id: m.id, ok: true });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log('host.request_failed', { op: m.op, error: message });
      post({ t: 'reply', id: m.id, ok: false, message, ...(isVaultError(err) ? { code: err.code } : {}) });
    }
  }

  function requireClipboard(): ClipboardLike {
    if (!host.clipboard) throw new Error('This host has no clipboard.');
    return host.clipboard;
  }

  let idleTimer: NodeJS.Timeout | null = null;
  if (host.idle) {
    const idleSource = host.idle;
    const sample = () => {
      try {
        post({ t: 'idle', idleSeconds: idleSource.idleSeconds(), osLocked: idleSource.osLocked?.() === true });
      } catch (err) {
        // No sample: the core's idle time keeps growing, towards a lock.
        log('host.idle_failed', { error: err instanceof Error ? err.message : String(err) });
      }
    };
    sample();
    idleTimer = setInterval(sample, IDLE_SAMPLE_MS);
    idleTimer.unref();
  }

  const client: CoreClient = {
    ready,
    dispatch: (method, input) => send({ t: 'call', method, input }),
    events,
    lockNow: (reason) => control<boolean>('lockNow', reason),
    clearClipboardNow: () => control<boolean>('clearClipboardNow'),
    policy: () => control<PolicyValues>('policy'),
    activity: () => control<null>('activity'),
    close: () => control<null>('close'),
    disconnected(reason) {
      if (gone !== null) return;
      gone = reason;
      if (idleTimer) clearInterval(idleTimer);
      settleReady.reject(new Error(reason));
      for (const resolve of pending.values()) resolve(fail('unavailable', CORE_STOPPED_MESSAGE));
      pending.clear();
      // The core's lock would have taken these back; it can no longer, so the host does.
      for (const shown of notifications.values()) shown.close();
      notifications.clear();
      void takeBackClipboard();
      for (const listener of exitListeners) {
        try {
          listener(reason);
        } catch (err) {
          log('host.exit_listener_failed', { error: err instanceof Error ? err.message : String(err) });
        }
      }
    },
    onExit(listener) {
      exitListeners.add(listener);
      return () => void exitListeners.delete(listener);
    },
  };

  /** Clears the clipboard only while it still holds exactly what the core put there. */
  async function takeBackClipboard(): Promise<void> {
    const wanted = clipboardDigest;
    clipboardDigest = null;
    if (wanted === null || !host.clipboard) return;
    try {
      if (digest(await host.clipboard.readText()) === wanted) await host.clipboard.clear();
    } catch (err) {
      log('host.clipboard_failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  return client;
}

export interface CoreWorkerOptions {
  /** The built worker-entry file; defaults to the sibling source, which runs under tsx. */
  workerUrl?: URL;
}

/**
 * Starts main/core in a worker thread and answers at once: calls and controls made before the
 * core serves wait in the channel, so the host can register its IPC handlers straight away.
 * `ready` says when it serves (or why it could not start). close() locks the open profile, then
 * ends the worker.
 */
export function spawnCoreWorker(init: CoreHostInit, host: CoreHostSide, opts: CoreWorkerOptions = {}): CoreClient & { worker: Worker } {
  const url = opts.workerUrl ?? new URL('./worker-entry.ts', import.meta.url);
  const worker = new Worker(url, { workerData: init, ...(url.pathname.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {}) });
  const client = connectCore(worker, host);
  worker.on('error', (err) => client.disconnected(`the core failed: ${err.message}`));
  worker.on('exit', (code) => client.disconnected(`the core stopped (exit code ${code})`));
  return {
    ...client,
    worker,
    close: async () => {
      const result = await client.close();
      await worker.terminate();
      return result;
    },
  };
}

/** spawnCoreWorker, resolving once the core serves; a core that cannot start is ended and its reason thrown. */
export async function startCoreWorker(init: CoreHostInit, host: CoreHostSide, opts: CoreWorkerOptions = {}): Promise<CoreClient & { worker: Worker }> {
  const client = spawnCoreWorker(init, host, opts);
  try {
    await client.ready;
  } catch (err) {
    await client.worker.terminate();
    throw err;
  }
  return client;
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
