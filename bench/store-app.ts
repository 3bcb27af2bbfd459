/**
 * bench:store's app phase: main/core as the app runs it, in a worker thread behind main/core/host,
 * with its KDF and checkpoint workers, the real relay on 127.0.0.1 and a colleague (Bob) on a
 * core worker of his own. Alice's profile is enrolled through the relay first; the bench then
 * fills its store with the big history through its own vault (prepare, then the bench's fill),
 * and measure() times what the clinician's main thread goes through: unlocking the full profile
 * (Argon2id and opening), the retention sweep a new policy asks for, which runs on in the core
 * after the unlock, then a burst of messages arriving from Bob while she searches, pages and lists
 * conversations.
 *
 * Reported: the main thread's longest event-loop stall (what a click, an IPC message or an OS lock
 * event would wait for), and how long Alice's core took to answer her calls meanwhile.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCoreWorker } from '../main/core/host/client';
import type { CoreClient, CoreHostSide } from '../main/core/host/client';
import type { CoreHostInit } from '../main/core/host/protocol';
import { InsecureFileDeviceSecretProvider } from '../main/core/vault';
import type { Me } from '../protocol/models';
import { addUser, startRelay } from '../tests/integration/relay/support/relay-process';
import { pct, stallDuring } from './loop-stall';
import type { RelayProcess } from '../tests/integration/relay/support/relay-process';

const BURST = 1_000;
const CALL_EVERY_MS = 25;
const BOB_PIN = '907311';

export interface AppFigures {
  unlockMs: number;
  /** The retention sweep the new policy asked for at unlock: messages deleted, and until it was done (ms after unlock). */
  sweep: { messages: number; ms: number };
  burst: { messages: number; ms: number };
  /** The main thread's event loop over the whole phase. */
  mainStallMaxMs: number;
  mainStallP99Ms: number;
  /** How long the core kept Alice's calls waiting: a trivial one every 25 ms while she unlocked and it swept. */
  duringSweep: Percentiles;
  /** Her calls (search, page, list, and the trivial one) while the burst arrived. */
  duringBurst: Percentiles;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface AppPhase {
  profileId: string;
  /** Runs the phase: retentionDays is written to Alice's policy before her unlock. */
  measure(retentionDays: number, queries: string[]): Promise<AppFigures>;
  close(): Promise<void>;
}

type CoreWorker = CoreClient & { close(): Promise<unknown> };

const source = (path: string) => new URL(path, import.meta.url).href;

function workstation(dataDir: string, policyFile: string, log?: CoreHostSide['log']): Promise<CoreWorker> {
  const deviceSecrets = new InsecureFileDeviceSecretProvider(dataDir);
  const init: CoreHostInit = {
    dataDir, host: 'electron', version: 'bench', deviceSecret: { name: deviceSecrets.name, secure: deviceSecrets.secure }, allowInsecureDeviceSecret: true,
    idle: 'host', clipboard: 'memory', notifications: false, policyFile,
    workers: { kdf: source('../main/core/vault/kdf-worker.ts'), checkpoint: source('../main/core/store/checkpoint/worker.ts') },
  };
  return startCoreWorker(init, { deviceSecrets, idle: { idleSeconds: () => 0 }, log: log ?? (() => undefined) });
}

async function call<T>(core: CoreClient, method: string, input: unknown): Promise<T> {
  const result = await core.dispatch(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function percentiles(xs: number[]): Percentiles {
  return { p50: pct(xs, 50), p99: pct(xs, 99), max: pct(xs, 100) };
}

/** A call made right after enrolment or unlock, before the relay connection is up: retried while offline. */
async function online<T>(core: CoreClient, method: string, input: unknown): Promise<T> {
  for (const deadline = performance.now() + 30_000; ; await sleep(50)) {
    const result = await core.dispatch(method, input);
    if (result.ok) return result.value as T;
    if (result.error.code !== 'offline' || performance.now() > deadline) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
  }
}

/** Enrols Alice (in `dataDir`, the bench's encrypted profile folder) and Bob through a real relay; Alice is left locked. */
export async function prepareAppPhase(root: string, dataDir: string, pin: string): Promise<AppPhase> {
  const relay: RelayProcess = await startRelay({ dataDir: join(root, 'relay') });
  const policyFile = join(root, 'alice-policy.json');
  let swept: number | null = null;
  const alice = await workstation(dataDir, policyFile, (event, fields) => {
    if (event === 'retention.swept') swept = Number(fields?.messages ?? 0);
  });
  const bob = await workstation(join(root, 'bob'), join(root, 'bob-policy.json'));
  const aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  const me = await call<Me>(alice, 'profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin });
  await call(bob, 'profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: BOB_PIN });
  const { id: conversationId } = await online<{ id: string }>(bob, 'conversations.start', { userId: aliceCode.userId });
  const arrived = new Set<string>();
  alice.events.on('messages.added', (m) => void arrived.add(m.text));
  await call(bob, 'messages.send', { conversationId, text: 'hello before the history' });
  while (!arrived.has('hello before the history')) await sleep(20);
  await call(alice, 'profiles.lock', {});

  /** Alice unlocks (the sweep runs on in her core), then Bob's burst arrives while she works. */
  async function unlockAndReceive(queries: string[]): Promise<Omit<AppFigures, 'mainStallMaxMs' | 'mainStallP99Ms'>> {
    let calls: number[] = [];
    // A trivial call every 25 ms throughout: how long the core keeps Alice waiting, sweep included.
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        const t = performance.now();
        await alice.dispatch('app.info', {});
        calls.push(performance.now() - t);
        await sleep(CALL_EVERY_MS);
      }
    })();
    await sleep(30);
    const t0 = performance.now();
    await call(alice, 'profiles.unlock', { profileId: me.profileId, pin });
    const unlockMs = performance.now() - t0;
    // The sweep runs on in the core after the unlock answered: wait for its log line.
    while (swept === null) {
      await sleep(20);
      if (performance.now() - t0 > 900_000) throw new Error('the retention sweep did not finish within 15 minutes');
    }
    const sweepMs = performance.now() - t0;
    const duringSweep = calls;
    calls = [];
    const aliceConversation = (await call<{ id: string; title: string }[]>(alice, 'conversations.list', {})).find((c) => c.title === 'Nurse Bob Singh');
    if (!aliceConversation) throw new Error('Alice has no conversation with Bob');

    const b0 = performance.now();
    const texts = Array.from({ length: BURST }, (_, i) => `burst ${i} obs stable bloods to chase`);
    const sends = texts.map((text) => call(bob, 'messages.send', { conversationId, text }));
    let q = 0;
    while (!texts.every((text) => arrived.has(text))) {
      for (const [method, input] of [
        ['search.messages', { query: queries[q++ % queries.length] ?? 'ward', limit: 20 }],
        ['messages.page', { conversationId: aliceConversation.id, limit: 50 }],
        ['conversations.list', {}],
      ] as const) {
        const t = performance.now();
        await call(alice, method, input);
        calls.push(performance.now() - t);
      }
      await sleep(CALL_EVERY_MS);
      if (performance.now() - b0 > 300_000) throw new Error('the burst did not arrive within 5 minutes');
    }
    const burstMs = performance.now() - b0;
    await Promise.all(sends);
    ticking = false;
    await ticker;
    return {
      unlockMs, sweep: { messages: swept, ms: sweepMs }, burst: { messages: BURST, ms: burstMs },
      duringSweep: percentiles(duringSweep), duringBurst: percentiles(calls),
    };
  }

  return {
    profileId: me.profileId,
    async measure(retentionDays, queries) {
      writeFileSync(policyFile, JSON.stringify({ retentionDays }));
      let figures!: Omit<AppFigures, 'mainStallMaxMs' | 'mainStallP99Ms'>;
      const stall = await stallDuring(async () => {
        figures = await unlockAndReceive(queries);
      });
      await call(alice, 'profiles.lock', {});
      return { ...figures, mainStallMaxMs: stall.maxMs, mainStallP99Ms: stall.p99Ms };
    },
    async close() {
      await Promise.all([alice.close(), bob.close()]);
      await relay.kill();
    },
  };
}
