/**
 * npm run bench:switch [-- --json] [--rounds 20] [--conversations 50] [--messages 200]
 *
 * Fast user switching at a shared workstation: the time from a clinician's PIN being entered on
 * the lock screen to their conversation list being ready, with the previous clinician's profile
 * already locked. Two profiles of N conversations x M messages (default 50 x 200 each) on the real
 * vault (Argon2id 64 MiB, t=3), the real SQLCipher store and the insecure test device secret (its
 * cost is one small file read, as with the sealed one). Each round locks the open profile (timed
 * on its own), then unlocks the other one and lists its conversations with unread counts.
 *
 * Two set-ups: `worker`, as the Electron main process should run (Argon2id and the store each in a
 * worker thread, bundled like a built app so tsx start-up is not counted), and `thread` (both on
 * the calling thread, as tests and the demo run). Not counted: the IPC hop and React's first
 * render of the list. Target: < 1,500 ms at p95. Prints a table; --json adds one JSON line.
 */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AsyncStore, NewMessage, Store } from '../main/core/store';
import {
  argon2idInThread,
  argon2idInWorker,
  InsecureFileDeviceSecretProvider,
  openInThread,
  openInWorker,
  ProfileVault,
} from '../main/core/vault';
import type { Argon2idFn, ProfileSession, StoreOpener } from '../main/core/vault';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '20' },
    conversations: { type: 'string', default: '50' },
    messages: { type: 'string', default: '200' },
  },
});
const ROUNDS = Number(args.rounds);
const CONVERSATIONS = Number(args.conversations);
const MESSAGES = Number(args.messages);
const TARGET_MS = 1_500;
const PINS = ['482913', '730582'];
const ROOT = resolve(import.meta.dirname, '..');

type AnyStore = Store | AsyncStore;
interface Round {
  totalMs: number;
  kdfMs: number;
  openMs: number;
  listMs: number;
  lockMs: number;
}

/** esbuild bundles of the two worker entries, placed inside the repo so they find the native SQLite module. */
async function bundleWorkers(): Promise<{ dir: string; kdf: URL; store: URL }> {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'wardline-bench-switch-'));
  const common: BuildOptions = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'warning', external: ['better-sqlite3', 'better-sqlite3-multiple-ciphers'] };
  await Promise.all([
    build({ ...common, entryPoints: [join(ROOT, 'main/core/vault/kdf-worker.ts')], outfile: join(dir, 'kdf-worker.cjs') }),
    build({ ...common, entryPoints: [join(ROOT, 'main/core/store/worker/store-worker.ts')], outfile: join(dir, 'store-worker.cjs') }),
  ]);
  return { dir, kdf: pathToFileURL(join(dir, 'kdf-worker.cjs')), store: pathToFileURL(join(dir, 'store-worker.cjs')) };
}

/** A clinician-sized history: every conversation with an unread tail, so the list does real counting. */
async function fill(store: AnyStore, seed: number): Promise<void> {
  const t0 = 1_760_000_000_000;
  for (let c = 0; c < CONVERSATIONS; c++) {
    const id = `p${seed}-c${c}`;
    await store.conversations.create({ id, kind: 'direct', title: `Colleague ${c}`, now: t0, members: [`u${c}`] });
    const batch: NewMessage[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const incoming = m % 3 !== 0;
      const at = t0 + (c * MESSAGES + m) * 1_000;
      batch.push({
        id: `${id}-m${m}`, conversationId: id, direction: incoming ? 'in' : 'out',
        senderUserId: incoming ? `u${c}` : 'me', senderDeviceId: 'device-1', senderMessageId: `${id}-m${m}`,
        body: `bed ${m % 30} obs ${incoming ? 'stable' : 'reviewed'}, plan discussed at handover ${m}`,
        status: incoming ? 'received' : 'delivered', sentAt: at, receivedAt: incoming ? at + 40 : null,
      });
    }
    await store.messages.insertMany(batch);
  }
}

async function measure(label: 'worker' | 'thread', dataDir: string, ids: string[], workers: { kdf: URL; store: URL }): Promise<Round[]> {
  let kdfMs = 0;
  const timed = (fn: Argon2idFn): Argon2idFn => async (...a) => {
    const t = performance.now();
    try {
      return await fn(...a);
    } finally {
      kdfMs += performance.now() - t;
    }
  };
  const open: StoreOpener<AnyStore> = label === 'worker' ? openInWorker({ workerUrl: workers.store }) : openInThread;
  const argon2id = timed(label === 'worker' ? argon2idInWorker({ workerUrl: workers.kdf }) : argon2idInThread);
  const vault = new ProfileVault<AnyStore>({ dataDir, deviceSecrets: new InsecureFileDeviceSecretProvider(dataDir), allowInsecureDeviceSecret: true, open, argon2id });

  const rounds: Round[] = [];
  let current: ProfileSession<AnyStore> = await vault.unlock(ids[0]!, PINS[0]!);
  for (let r = 0; r <= ROUNDS; r++) {
    const next = (r + 1) % 2;
    const tLock = performance.now();
    await current.lock();
    const lockMs = performance.now() - tLock;

    kdfMs = 0;
    const t0 = performance.now(); // the PIN has been entered
    const session = await vault.unlock(ids[next]!, PINS[next]!);
    const t1 = performance.now();
    const list = await session.store.conversations.list();
    const t2 = performance.now();
    if (list.length !== CONVERSATIONS || list[0]!.unreadCount === 0) throw new Error(`unexpected list: ${list.length} conversations`);
    // Round 0 warms up (first WebAssembly compile, first worker start, page cache) and is not counted.
    if (r > 0) rounds.push({ totalMs: t2 - t0, kdfMs, openMs: t1 - t0 - kdfMs, listMs: t2 - t1, lockMs });
    current = session;
  }
  await current.lock();
  return rounds;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const stats = (xs: number[]) => ({ p50: +pct(xs, 50).toFixed(1), p95: +pct(xs, 95).toFixed(1), max: +Math.max(...xs).toFixed(1) });
const summarise = (rounds: Round[]) => ({
  totalMs: stats(rounds.map((r) => r.totalMs)),
  kdfMs: stats(rounds.map((r) => r.kdfMs)),
  openMs: stats(rounds.map((r) => r.openMs)),
  listMs: stats(rounds.map((r) => r.listMs)),
  lockMs: stats(rounds.map((r) => r.lockMs)),
});

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-bench-switch-'));
  const workers = await bundleWorkers();
  try {
    const setup = new ProfileVault<Store>({ dataDir, deviceSecrets: new InsecureFileDeviceSecretProvider(dataDir), allowInsecureDeviceSecret: true, open: openInThread });
    const ids: string[] = [];
    for (const [i, pin] of PINS.entries()) {
      const s = await setup.enrol({ displayName: `Clinician ${i}`, userId: `clinician${i}@ward`, pin });
      await fill(s.store, i);
      ids.push(s.profileId);
      await s.lock();
    }
    const results = {
      worker: summarise(await measure('worker', dataDir, ids, workers)),
      thread: summarise(await measure('thread', dataDir, ids, workers)),
    };
    const report = {
      bench: 'switch',
      rounds: ROUNDS,
      profile: { conversations: CONVERSATIONS, messagesPerConversation: MESSAGES },
      kdf: 'argon2id m=64MiB t=3 p=1',
      targetMs: TARGET_MS,
      pass: results.worker.totalMs.p95 < TARGET_MS,
      results,
    };
    print(report);
    if (args.json) console.log(JSON.stringify(report));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workers.dir, { recursive: true, force: true });
  }
}

function print(report: { rounds: number; profile: { conversations: number; messagesPerConversation: number }; results: Record<string, ReturnType<typeof summarise>> }): void {
  const { conversations, messagesPerConversation } = report.profile;
  console.log(`\nFast switching: PIN entered -> conversation list ready (${report.rounds} switches per set-up; ${conversations} conversations x ${messagesPerConversation} messages per profile)\n`);
  console.log(`${'set-up / step (ms)'.padEnd(34)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'max'.padStart(9)}`);
  const rows: [string, keyof ReturnType<typeof summarise>][] = [
    ['PIN -> list ready', 'totalMs'], ['  Argon2id (KDF)', 'kdfMs'], ['  unwrap + open store', 'openMs'], ['  conversation list', 'listMs'], ['lock previous profile', 'lockMs'],
  ];
  for (const [setup, r] of Object.entries(report.results)) {
    for (const [name, key] of rows) {
      const s = r[key];
      const flag = key === 'totalMs' ? (s.p95 < TARGET_MS ? `   ok (< ${TARGET_MS})` : `   OVER ${TARGET_MS}`) : '';
      console.log(`${`${setup}: ${name}`.padEnd(34)}${String(s.p50).padStart(9)}${String(s.p95).padStart(9)}${String(s.max).padStart(9)}${flag}`);
    }
  }
  console.log('\nNot included: the IPC hop to the renderer and React rendering the list.');
}

await main();
