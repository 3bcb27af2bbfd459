import { performance } from 'node:perf_hooks';
import { createApi } from '../api';
import { createCore } from '../core';
import type { Core, CoreOptions } from '../core';
import { createPolicyProvider, fileSource } from '../policy';
import { argon2idInWorker, DEVICE_SECRET_BYTES, VaultError } from '../vault';
import type { DeviceSecretProvider } from '../vault';
import type { ClipboardLike, NotificationText, ShownNotification } from '../workstation';
import { fail } from '../../../protocol/result';
import { describeMessage, isHostMessage } from './protocol';
import type { Answer, ControlMessage, CoreHostInit, CoreMessage, CorePort, HostMessage, RequestOp } from './protocol';

type Log = (event: string, fields?: Record<string, unknown>) => void;

/**
 * Runs main/core behind `port` (the worker side): renderer calls arrive as `call` messages and
 * go through the same dispatch as in-process, every core event goes out as `event`, and the
 * Electron services the core uses (device secret, clipboard, notifications, OS idle time) are
 * messages to the host, which owns them. Returns the core, for tests that look inside.
 */
export function serveCore(port: CorePort, init: CoreHostInit): Core {
  const post = (message: CoreMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
  const log: Log = (event, fields) => {
    try {
      post({ t: 'log', event, ...(fields ? { fields } : {}) });
    } catch {
      // A field that cannot be cloned (a function): the line still says what happened.
      post({ t: 'log', event, fields: { note: 'fields could not be sent' } });
    }
  };
  const requests = new HostRequests(post);
  const idle = init.idle === 'host' ? hostIdleSource() : null;

  const core = createCore({
    dataDir: init.dataDir,
    host: init.host,
    version: init.version,
    deviceSecrets: deviceSecretProxy(init.deviceSecret, requests),
    allowInsecureDeviceSecret: init.allowInsecureDeviceSecret,
    ...(init.policyFile !== undefined
      ? {
          policy: createPolicyProvider({
            log: { warn: (message) => log('policy.warning', { message }) },
            registry: null,
            files: init.policyFile === null ? null : fileSource(init.policyFile, { trust: 'any' }),
          }),
        }
      : {}),
    workstation: {
      ...(idle ? { idle: idle.source } : {}),
      ...(init.clipboard === 'host' ? { clipboard: clipboardProxy(requests) } : {}),
      ...(init.notifications ? { showNotification: notificationProxy(post) } : {}),
    },
    runtime: runtimeOptions(init),
    log,
  });
  const dispatch = createApi(core, { log: (message, err) => log('api.error', { message, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }) });

  core.events.onAny((name, payload) => {
    try {
      post({ t: 'event', name, payload });
    } catch (err) {
      log('host.event_not_sent', { name, error: err instanceof Error ? err.message : String(err) });
    }
  });

  port.on('message', (message) => {
    if (!isHostMessage(message)) {
      log('host.malformed_message', { from: 'host', shape: describeMessage(message) });
      return;
    }
    receive(message);
  });

  function receive(m: HostMessage): void {
    switch (m.t) {
      case 'call':
        // Calls run concurrently, as they do in-process; dispatch answers every one with a Result.
        void dispatch(m.method, m.input).then((result) => {
          try {
            post({ t: 'result', id: m.id, result });
          } catch (err) {
            log('host.result_not_sent', { error: err instanceof Error ? err.message : String(err) });
            post({ t: 'result', id: m.id, result: fail('internal', 'Something went wrong inside Wardline. The details are in the application log.') });
          }
        });
        return;
      case 'control':
        void control(core, m).then(
          (value) => post({ t: 'controlResult', id: m.id, ok: true, value }),
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            log('host.control_failed', { op: m.op, error: message });
            post({ t: 'controlResult', id: m.id, ok: false, message });
          },
        );
        return;
      case 'idle':
        idle?.sample(m.idleSeconds, m.osLocked);
        return;
      case 'reply':
        if (!requests.settle(m.id, m)) log('host.unexpected_reply', { id: m.id });
        return;
    }
  }

  post({ t: 'ready' });
  return core;
}

/** The reason recorded when the app quits with a profile open: the clinician closed Wardline. */
const CLOSE_REASON = 'user';

async function control(core: Core, m: ControlMessage): Promise<unknown> {
  switch (m.op) {
    // runtime.lock rather than workstation.lockNow: the same beforeLock path, but awaitable, so
    // the host knows the keys are gone when the answer arrives.
    case 'lockNow':
      return (await core.runtime.lock(m.arg)) !== null;
    case 'clearClipboardNow':
      return core.workstation.clipboard.clearNow();
    case 'policy':
      return core.policy.current().values;
    case 'activity':
      core.activity?.();
      return null;
    case 'close':
      await core.runtime.lock(CLOSE_REASON);
      await core.workstation.clipboard.clearNow();
      return null;
  }
}

/** Requests to the host, each answered by one `reply`. */
class HostRequests {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

  constructor(private readonly post: (m: CoreMessage) => void) {}

  request(op: RequestOp, text?: string): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.post({ t: 'request', id, op, ...(text !== undefined ? { text } : {}) });
    });
  }

  settle(id: number, answer: Answer): boolean {
    const p = this.#pending.get(id);
    if (!p) return false;
    this.#pending.delete(id);
    if (answer.ok) p.resolve(answer.value);
    // A keystore failure stays a VaultError, so the renderer gets the recovery sentence, not 'internal'.
    else if (answer.code !== undefined) p.reject(new VaultError(answer.code === 'insecure_provider_refused' ? answer.code : 'device_secret_unavailable', answer.message));
    else p.reject(new Error(answer.message));
    return true;
  }
}

/** The host's provider, asked at every use; the host transfers a copy, which the vault wipes after use. */
function deviceSecretProxy(info: CoreHostInit['deviceSecret'], requests: HostRequests): DeviceSecretProvider {
  return {
    name: info.name,
    secure: info.secure,
    getOrCreate: async () => {
      const secret = await requests.request('deviceSecret');
      if (!(secret instanceof Uint8Array) || secret.length !== DEVICE_SECRET_BYTES) {
        if (secret instanceof Uint8Array) secret.fill(0);
        throw new VaultError('device_secret_unavailable', `expected a ${DEVICE_SECRET_BYTES}-byte device secret from the host, got ${describeValue(secret)}`);
      }
      return secret;
    },
  };
}

function clipboardProxy(requests: HostRequests): ClipboardLike {
  return {
    writeText: async (text) => void (await requests.request('clipboard.writeText', text)),
    readText: async () => {
      const text = await requests.request('clipboard.readText');
      if (typeof text !== 'string') throw new TypeError(`expected the clipboard's text from the host, got ${describeValue(text)}`);
      return text;
    },
    clear: async () => void (await requests.request('clipboard.clear')),
  };
}

function notificationProxy(post: (m: CoreMessage) => void): (text: NotificationText) => ShownNotification {
  let nextHandle = 1;
  return (text) => {
    const handle = nextHandle++;
    post({ t: 'notify', handle, text: { title: text.title, body: text.body } });
    return { close: () => post({ t: 'notifyClose', handle }) };
  };
}

/**
 * OS idle time as the host last measured it, plus the whole seconds since that sample arrived:
 * if the host stops sending, idle time keeps growing and the profile locks, never the reverse.
 * Until the first sample it counts from the core's start, as if the host had said 0.
 * performance.now() rather than the wall clock, which a time-sync can move backwards.
 */
function hostIdleSource(): { source: { idleSeconds(): number; osLocked(): boolean }; sample(idleSeconds: number, osLocked: boolean): void } {
  let last = { idleSeconds: 0, osLocked: false, at: performance.now() };
  return {
    source: {
      idleSeconds: () => last.idleSeconds + Math.max(0, Math.floor((performance.now() - last.at) / 1000)),
      osLocked: () => last.osLocked,
    },
    sample: (idleSeconds, osLocked) => void (last = { idleSeconds, osLocked, at: performance.now() }),
  };
}

function runtimeOptions(init: CoreHostInit): NonNullable<CoreOptions['runtime']> {
  return {
    ...(init.testKdf ? { kdf: init.testKdf } : {}),
    ...(init.workers?.kdf ? { argon2id: argon2idInWorker({ workerUrl: new URL(init.workers.kdf) }) } : {}),
    ...(init.workers?.checkpoint ? { checkpointer: { workerUrl: new URL(init.workers.checkpoint) } } : {}),
  };
}

function describeValue(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return v === null ? 'null' : typeof v;
}
