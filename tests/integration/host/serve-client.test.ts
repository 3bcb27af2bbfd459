import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCore, CORE_STOPPED_MESSAGE } from '../../../main/core/host/client';
import type { CoreClient, CoreHostSide } from '../../../main/core/host/client';
import type { CoreHostInit } from '../../../main/core/host/protocol';
import { serveCore } from '../../../main/core/host/serve';
import type { Core } from '../../../main/core/core';
import { InsecureFileDeviceSecretProvider, MIN_KDF_MEMORY_KIB } from '../../../main/core/vault';
import type { DeviceSecretProvider } from '../../../main/core/vault';
import type { EventName } from '../../../protocol/channels';
import type { Me } from '../../../protocol/models';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';

/**
 * main/core served over a real MessageChannel in this thread, with the Electron-side services
 * (device secret, clipboard, notifications, OS idle time) as plain objects on the host side and
 * a real relay for enrolment.
 */
const PIN = '482916';
const CHEAP_KDF = { algorithm: 'argon2id', version: 19, memoryKiB: MIN_KDF_MEMORY_KIB, iterations: 2, parallelism: 1 } as const;

let relay: RelayProcess;
const codes: string[] = [];

beforeAll(async () => {
  relay = await startRelay();
  for (const [username, name] of [['aokafor', 'Dr Alice Okafor'], ['bsingh', 'Nurse Bob Singh']] as const) {
    codes.push((await addUser(relay.dataDir, username, name)).code);
  }
}, 60_000);

afterAll(async () => {
  await relay?.kill();
});

/** Counts the host provider's answers and keeps each one, to check they were wiped. */
class CountingProvider implements DeviceSecretProvider {
  readonly name = 'counting test provider';
  readonly secure = false;
  readonly handedOut: Uint8Array[] = [];
  readonly #inner: InsecureFileDeviceSecretProvider;
  constructor(dataDir: string) {
    this.#inner = new InsecureFileDeviceSecretProvider(dataDir);
  }
  async getOrCreate(): Promise<Uint8Array> {
    const secret = await this.#inner.getOrCreate();
    this.handedOut.push(secret);
    return secret;
  }
}

interface Connected {
  dir: string;
  core: Core;
  client: CoreClient;
  host: CoreHostSide;
  ports: [core: MessagePort, host: MessagePort];
  provider: CountingProvider;
  clipboard: { text: string; writes: string[] };
  shown: { text: { title: string; body: string }; closed: boolean }[];
  logs: { event: string; fields?: Record<string, unknown> }[];
  events: { name: EventName; payload: unknown }[];
  idle: { seconds: number };
  close(): Promise<void>;
}

async function connect(): Promise<Connected> {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-host-'));
  const { port1, port2 } = new MessageChannel();
  const provider = new CountingProvider(dir);
  const clipboard = { text: '', writes: [] as string[] };
  const shown: Connected['shown'] = [];
  const logs: Connected['logs'] = [];
  const idle = { seconds: 0 };
  const init: CoreHostInit = {
    dataDir: dir, host: 'electron', version: '9.8.7-test',
    deviceSecret: { name: provider.name, secure: provider.secure }, allowInsecureDeviceSecret: true,
    idle: 'host', clipboard: 'host', notifications: true,
    policyFile: join(dir, 'no-policy.json'), testKdf: CHEAP_KDF,
  };
  const host: CoreHostSide = {
    deviceSecrets: provider,
    idle: { idleSeconds: () => idle.seconds, osLocked: () => false },
    clipboard: {
      writeText: (text) => void (clipboard.writes.push(text), (clipboard.text = text)),
      readText: () => clipboard.text,
      clear: () => void (clipboard.text = ''),
    },
    showNotification: (text) => {
      const entry = { text, closed: false };
      shown.push(entry);
      return { close: () => void (entry.closed = true) };
    },
    log: (event, fields) => void logs.push({ event, fields }),
  };
  const core = serveCore(port1, init);
  const client = connectCore(port2, host);
  const events: Connected['events'] = [];
  client.events.onAny((name, payload) => events.push({ name, payload }));
  await client.ready;
  return {
    dir, core, client, host, ports: [port1, port2], provider, clipboard, shown, logs, events, idle,
    close: async () => {
      await core.runtime.lock('user');
      port1.close();
      port2.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function call<T>(c: Connected, method: string, input: unknown): Promise<T> {
  const result = await c.client.dispatch(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function eventually<T>(what: string, check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a core served over a message port', () => {
  let c: Connected;
  let me: Me;

  beforeAll(async () => {
    c = await connect();
    me = await call<Me>(c, 'profiles.enrol', { relayUrl: relay.url, code: codes[0], pin: PIN });
  }, 60_000);

  afterAll(async () => {
    await c?.close();
  });

  async function unlocked(): Promise<void> {
    if ((await call<Me | null>(c, 'profiles.current', {})) === null) await call(c, 'profiles.unlock', { profileId: me.profileId, pin: PIN });
  }

  it('answers app.info with the host and version it was started with, and the policy control with the values in force', async () => {
    expect(await call(c, 'app.info', {})).toMatchObject({ name: 'Wardline', host: 'electron', version: '9.8.7-test' });
    const policy = await c.client.policy();
    expect(policy.ok && policy.value.idleLockMinutes).toBe(5);
  });

  it('enrols through the dispatch with the host\'s device secret, and wipes every copy the provider handed out', async () => {
    expect(me.displayName).toBe('Dr Alice Okafor');
    expect(c.provider.handedOut.length).toBeGreaterThan(0);
    for (const secret of c.provider.handedOut) expect(secret.every((b) => b === 0)).toBe(true);
    expect(c.events.find((e) => e.name === 'profiles.changed')?.payload).toEqual([expect.objectContaining({ id: me.profileId, displayName: 'Dr Alice Okafor' })]);
  });

  it('locks on lockNow, announces it, and answers a later call that needs the profile with the locked error', async () => {
    await unlocked();
    const before = c.events.length;
    expect(await c.client.lockNow('shortcut')).toEqual({ ok: true, value: true });
    expect(c.events.slice(before)).toContainEqual({ name: 'profiles.locked', payload: { profileId: me.profileId, reason: 'shortcut' } });
    const result = await c.client.dispatch('conversations.list', {});
    expect(result.ok ? null : result.error.code).toBe('locked');
    // Nothing open any more: a second lockNow locks nothing.
    expect(await c.client.lockNow('shortcut')).toEqual({ ok: true, value: false });
  });

  it('copies to the host\'s clipboard and takes the text back when the profile locks', async () => {
    await unlocked();
    expect(await call(c, 'clipboard.copy', { text: 'Bed 4: review before noon' })).toBeNull();
    expect(c.clipboard.text).toBe('Bed 4: review before noon');
    await c.client.lockNow('user');
    expect(c.clipboard.text).toBe('');
  });

  it('shows notifications on the host and closes them when the profile locks', async () => {
    await unlocked();
    c.core.workstation.notifier.message({ senderName: 'Nurse Bob Singh', text: 'Bed 4 needs a review' });
    const entry = await eventually('a notification on the host', () => c.shown.at(-1));
    expect(entry.text.title).toBe('Wardline');
    expect(entry.closed).toBe(false);
    await c.client.lockNow('user');
    await eventually('the notification closed', () => entry.closed);
  });

  it('locks an unlocked profile when the host reports the workstation idle past the limit', async () => {
    await unlocked();
    const before = c.events.length;
    c.idle.seconds = 100_000;
    try {
      await eventually('the idle lock', () => c.events.slice(before).find((e) => e.name === 'profiles.locked'), 8_000);
    } finally {
      c.idle.seconds = 0;
    }
    expect(c.events.slice(before).find((e) => e.name === 'profiles.locked')?.payload).toEqual({ profileId: me.profileId, reason: 'idle' });
    expect(await call(c, 'profiles.current', {})).toBeNull();
  });

  it('answers an unknown method with the unknown_method error', async () => {
    const result = await c.client.dispatch('vault.dumpKeys', {});
    expect(result.ok ? null : result.error.code).toBe('unknown_method');
  });

  it('logs and ignores malformed messages from either side, changing nothing', async () => {
    await unlocked();
    const [corePort, hostPort] = c.ports;
    const before = c.events.length;
    // From the host: a call without an id, a lock with a reason outside the contract, junk.
    hostPort.postMessage({ t: 'call', method: 'profiles.lock', input: {} });
    hostPort.postMessage({ t: 'control', id: 999, op: 'lockNow', arg: 'because' });
    hostPort.postMessage('lock everything');
    // From the core: an event outside the contract.
    corePort.postMessage({ t: 'event', name: 'profiles.erased', payload: {} });
    await eventually('four complaints', () => c.logs.filter((l) => l.event === 'host.malformed_message').length >= 4);
    expect(c.logs.filter((l) => l.event === 'host.malformed_message').map((l) => l.fields)).toEqual(
      expect.arrayContaining([
        { from: 'host', shape: 't="call"' },
        { from: 'host', shape: 't="control"' },
        { from: 'host', shape: 'string' },
        { from: 'core', shape: 't="event"' },
      ]),
    );
    expect((await call<Me | null>(c, 'profiles.current', {}))?.profileId).toBe(me.profileId);
    expect(c.events.slice(before)).toEqual([]);
  });
});

describe('when the core goes away', () => {
  it('answers the pending and every later call with the typed unavailable error, tells onExit, and takes back what the core left on screen', async () => {
    const c = await connect();
    try {
      await call(c, 'profiles.enrol', { relayUrl: relay.url, code: codes[1], pin: PIN });
      await call(c, 'clipboard.copy', { text: 'Bed 9: NBM from midnight' });
      c.core.workstation.notifier.message({ senderName: 'Dr Alice Okafor', text: 'Bed 9 nil by mouth' });
      const shown = await eventually('a notification', () => c.shown.at(-1));
      const exits: string[] = [];
      c.client.onExit((reason) => exits.push(reason));

      const pending = c.client.dispatch('profiles.list', {});
      c.client.disconnected('the worker exited');

      const unavailable = { ok: false, error: { code: 'unavailable', message: CORE_STOPPED_MESSAGE } };
      expect(await pending).toEqual(unavailable);
      expect(await c.client.dispatch('app.info', {})).toEqual(unavailable);
      expect(await c.client.lockNow('shortcut')).toEqual(unavailable);
      expect(exits).toEqual(['the worker exited']);
      expect(shown.closed).toBe(true);
      await eventually('the clipboard taken back', () => c.clipboard.text === '');
    } finally {
      await c.close();
    }
  }, 60_000);
});
