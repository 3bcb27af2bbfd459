import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_STOPPED_MESSAGE, startCoreWorker } from '../../../main/core/host/client';
import type { CoreClient, CoreHostSide } from '../../../main/core/host/client';
import type { CoreHostInit } from '../../../main/core/host/protocol';
import { InsecureFileDeviceSecretProvider, MIN_KDF_MEMORY_KIB } from '../../../main/core/vault';
import type { Worker } from 'node:worker_threads';
import type { EventName } from '../../../protocol/channels';
import type { Me } from '../../../protocol/models';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';

/**
 * main/core in a real worker thread (worker-entry.ts under tsx), driven from this thread as
 * Electron's main process would: the same dispatch, events across the thread boundary, a real
 * relay for enrolment.
 */
const PIN = '907311';
const CHEAP_KDF = { algorithm: 'argon2id', version: 19, memoryKiB: MIN_KDF_MEMORY_KIB, iterations: 2, parallelism: 1 } as const;

let relay: RelayProcess;
let dir: string;
let core: CoreClient & { worker: Worker };
const events: { name: EventName; payload: unknown }[] = [];
const exits: string[] = [];
let host: CoreHostSide;

function init(): CoreHostInit {
  return {
    dataDir: dir, host: 'electron', version: '1.2.3-worker',
    deviceSecret: { name: host.deviceSecrets.name, secure: host.deviceSecrets.secure }, allowInsecureDeviceSecret: true,
    idle: 'host', clipboard: 'memory', notifications: false,
    policyFile: join(dir, 'no-policy.json'), testKdf: CHEAP_KDF,
  };
}

beforeAll(async () => {
  relay = await startRelay();
  dir = mkdtempSync(join(tmpdir(), 'wardline-host-worker-'));
  host = { deviceSecrets: new InsecureFileDeviceSecretProvider(dir), idle: { idleSeconds: () => 0 }, log: () => undefined };
  core = await startCoreWorker(init(), host);
  core.events.onAny((name, payload) => events.push({ name, payload }));
  core.onExit((reason) => exits.push(reason));
}, 60_000);

afterAll(async () => {
  await core?.worker.terminate();
  await relay?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('the core in a worker thread', () => {
  let me: Me;

  it('enrols, locks and unlocks through the dispatch, with the events crossing the thread', async () => {
    expect(await call('app.info', {})).toMatchObject({ host: 'electron', version: '1.2.3-worker' });
    const bob = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
    me = await call<Me>('profiles.enrol', { relayUrl: relay.url, code: bob.code, pin: PIN });
    expect(me.displayName).toBe('Nurse Bob Singh');
    expect(events.some((e) => e.name === 'profiles.changed')).toBe(true);

    expect(await call('profiles.lock', {})).toBeNull();
    expect(events.at(-1)).toEqual({ name: 'profiles.locked', payload: { profileId: me.profileId, reason: 'user' } });
    const locked = await core.dispatch('conversations.list', {});
    expect(locked.ok ? null : locked.error.code).toBe('locked');

    expect((await call<Me>('profiles.unlock', { profileId: me.profileId, pin: PIN })).profileId).toBe(me.profileId);
    expect(await call('conversations.list', {})).toEqual([]);
  });

  it('close locks the open profile, then ends the worker; calls after it answer the typed unavailable error', async () => {
    const before = events.length;
    expect(await core.close()).toEqual({ ok: true, value: null });
    expect(events.slice(before)).toContainEqual({ name: 'profiles.locked', payload: { profileId: me.profileId, reason: 'user' } });
    await eventually('the exit', () => exits.length === 1);
    const after = await core.dispatch('profiles.current', {});
    expect(after).toEqual({ ok: false, error: { code: 'unavailable', message: CORE_STOPPED_MESSAGE } });
  });

  it('answers a call in flight with the typed unavailable error when the worker is terminated, instead of hanging', async () => {
    const again = await startCoreWorker(init(), host);
    try {
      expect((await again.dispatch('profiles.list', {})).ok).toBe(true);
      // Unlocking runs Argon2id inside the worker: long enough to still be pending when it is ended.
      const pending = again.dispatch('profiles.unlock', { profileId: me.profileId, pin: PIN });
      await again.worker.terminate();
      expect(await pending).toEqual({ ok: false, error: { code: 'unavailable', message: CORE_STOPPED_MESSAGE } });
    } finally {
      await again.worker.terminate();
    }
  });
});

async function eventually(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
