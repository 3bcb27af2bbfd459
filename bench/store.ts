/**
 * npm run bench:store [-- --json] [--messages N] [--conversations N] [--round-robin]
 *
 * The profile store under a clinician-sized history: N messages (default 1,000,000) in
 * 1,000 conversations, once encrypted (SQLCipher v4 via better-sqlite3-multiple-ciphers, opened
 * through the vault like the app does) and once on plain better-sqlite3 with the same schema,
 * settings and workload. Reports insert throughput, unlock/open time (KDF separately), newest-page
 * and search latency, and how long the main thread's event loop stalls while the store is busy:
 * with the store on the main thread (the app's own load, messages arriving one per commit with
 * searches in between, and bulk 1,000-message commits), with the store in a worker thread, and
 * last the app as it runs (store-app.ts): main/core in a worker thread, unlocking the full profile
 * with a retention sweep and receiving a burst from a colleague through the real relay, with the
 * main thread's stall and the core's answer times. Both stores checkpoint their WAL on a thread of
 * their own, as the app does (main/core/store/checkpoint); the insert rows give wall-clock
 * throughput, the inserting thread's CPU time, and all work including the checkpoint threads.
 * Prints a table; --json adds one line.
 *
 * Workload (store-workload.ts): chat-like, 10,000 messages per transaction; --round-robin spreads
 * consecutive messages over all conversations, the worst case for index locality.
 */
import PlainDatabase from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { openStore, openStoreInWorker } from '../main/core/store';
import type { AsyncStore, NewMessage, Store } from '../main/core/store';
import { pct, stallDuring } from './loop-stall';
import type { Stall } from './loop-stall';
import { prepareAppPhase } from './store-app';
import type { AppFigures, Percentiles } from './store-app';
import { chatWorkload, rng } from './store-workload';
import { Checkpointer } from '../main/core/store/checkpoint/checkpointer';
import { applyConnectionSettings, openEncryptedHandle } from '../main/core/store/connection';
import { bindStore } from '../main/core/store/store';
import { argon2idInThread, argon2idInWorker, InsecureFileDeviceSecretProvider, openInWorker, ProfileVault } from '../main/core/vault';
import type { Argon2idFn, StoreOpener } from '../main/core/vault';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const JSON_OUT = args.includes('--json');
const MESSAGES = flag('--messages', 1_000_000);
const CONVERSATIONS = flag('--conversations', 1_000);
const BATCH = 10_000;
const ROUND_ROBIN = args.includes('--round-robin');
const PAGE_QUERIES = 2_000;
const SEARCH_QUERIES = 1_000;
const STALL_MESSAGES = 50_000;
const RECEIVE_MESSAGES = 10_000;
const PIN = '482913';
/** The app phase's policy: about a twelfth of the 12-day history is older than this. */
const RETENTION_DAYS = 11;

// ---- the workload: bench/store-workload.ts ------------------------------------------------------

// The history spans the last 12 days (at least a second apart), ending now: the app phase's
// retention policy then has a day of it to delete, as a ward's first sweep after a policy change would.
const STEP_MS = Math.max(1_000, Math.floor((12 * 86_400_000) / MESSAGES));
const { batchOf, searchQueries } = chatWorkload({ conversations: CONVERSATIONS, roundRobin: ROUND_ROBIN, baseTime: Date.now() - MESSAGES * STEP_MS, stepMs: STEP_MS });

// ---- measurement helpers ------------------------------------------------------------------------

const timeMs = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

/**
 * Fills both stores with the same batches, alternating which goes first, and times each store's
 * inserts separately: on a shared machine the load changes minute to minute, and interleaving
 * keeps that noise out of the encrypted/plain ratio. Each store has its checkpoint thread, as in
 * the app, and the loop yields between batches as the app's would; a store's time includes the
 * catch-up passes its checkpoint thread asked the inserting thread for (checkpoint/loop.ts), and
 * the thread's own busy time is reported beside it.
 */
async function fillBoth(enc: Store, plain: Store, checkpoints: { enc: Checkpointer; plain: Checkpointer }) {
  for (const store of [enc, plain]) {
    for (let c = 0; c < CONVERSATIONS; c++) store.conversations.create({ id: `c${c}`, kind: c % 10 ? 'direct' : 'group', title: `Conversation ${c}`, now: 0 });
  }
  const r = rng(42);
  const t = { enc: 0, plain: 0, encCpu: 0, plainCpu: 0 };
  const busy0 = { enc: checkpoints.enc.busyMs, plain: checkpoints.plain.busyMs };
  const catchUp0 = { enc: checkpoints.enc.catchUpMs, plain: checkpoints.plain.catchUpMs };
  const timed = (s: Store, batch: NewMessage[], wall: 'enc' | 'plain', cpu: 'encCpu' | 'plainCpu') => {
    const c0 = process.threadCpuUsage();
    t[wall] += timeMs(() => s.messages.insertMany(batch));
    const c = process.threadCpuUsage(c0);
    t[cpu] += (c.user + c.system) / 1000;
  };
  for (let i = 0, n = 0; i < MESSAGES; i += BATCH, n++) {
    const batch = batchOf(i, Math.min(BATCH, MESSAGES - i), r);
    const timeEnc = () => timed(enc, batch, 'enc', 'encCpu');
    const timePlain = () => timed(plain, batch, 'plain', 'plainCpu');
    if (n % 2) {
      timeEnc();
      timePlain();
    } else {
      timePlain();
      timeEnc();
    }
    await yieldToLoop();
  }
  const catchUp = { enc: checkpoints.enc.catchUpMs - catchUp0.enc, plain: checkpoints.plain.catchUpMs - catchUp0.plain };
  t.enc += catchUp.enc;
  t.plain += catchUp.plain;
  t.encCpu += catchUp.enc;
  t.plainCpu += catchUp.plain;
  const checkpointMs = { enc: checkpoints.enc.busyMs - busy0.enc, plain: checkpoints.plain.busyMs - busy0.plain };
  return {
    enc: MESSAGES / (t.enc / 1000),
    plain: MESSAGES / (t.plain / 1000),
    cpuRatio: t.plainCpu / t.encCpu,
    checkpointMs,
    catchUpMs: catchUp,
    allWorkRatio: (t.plainCpu + checkpointMs.plain) / (t.encCpu + checkpointMs.enc),
  };
}

function queries(store: Store): { pageP50: number; pageP99: number; listP99: number; searchP50: number; searchP99: number; hits: number } {
  const r = rng(5);
  const page: number[] = [];
  for (let i = 0; i < PAGE_QUERIES; i++) page.push(timeMs(() => store.messages.page(`c${Math.floor(r() * CONVERSATIONS)}`, { limit: 50 })));
  const list: number[] = [];
  for (let i = 0; i < 20; i++) list.push(timeMs(() => store.conversations.list({ limit: 50 })));
  const search: number[] = [];
  let hits = 0;
  for (const q of searchQueries(SEARCH_QUERIES)) search.push(timeMs(() => (hits += store.search.messages(q, { limit: 20 }).length)));
  return { pageP50: pct(page, 50), pageP99: pct(page, 99), listP99: pct(list, 99), searchP50: pct(search, 50), searchP99: pct(search, 99), hits };
}

/**
 * The app's own load, with the store on the calling thread (the core in-process): messages arriving one per commit (message, ratchet
 * record and dedupe marker, as the receiver stores them, yielding between envelopes), and every
 * 100 of them what a clinician does meanwhile: a search, the conversation list, a page.
 */
async function receiving(store: Store, firstId: number, count: number): Promise<void> {
  const r = rng(4321);
  const qs = searchQueries(count / 100);
  const session = new Uint8Array(1_200).fill(7);
  for (let i = 0; i < count; i++) {
    const [m] = batchOf(firstId + i, 1, r);
    if (!m) break;
    const marker = { senderUserId: m.senderUserId, senderDeviceId: m.senderDeviceId, senderMessageId: m.senderMessageId };
    store.storeReceived({ message: { ...m, direction: 'in', status: 'received' }, sessionUpdate: { userId: m.senderUserId, deviceId: 'd1', record: session }, dedupeMarker: marker, now: m.sentAt });
    await yieldToLoop();
    if (i % 100 === 99) {
      // Each its own IPC request in the app, so each its own turn of the event loop.
      store.search.messages(qs[(i - 99) / 100] ?? 'ward');
      await yieldToLoop();
      store.conversations.list({ limit: 50 });
      await yieldToLoop();
      store.messages.page(m.conversationId, { limit: 50 });
      await yieldToLoop();
    }
  }
}

/** Keeps a store busy: STALL_MESSAGES more messages in batches of 1,000, one search per batch. */
async function busy(firstId: number, step: (batch: NewMessage[], q: string) => Promise<void>): Promise<void> {
  const r = rng(1234);
  const qs = searchQueries(STALL_MESSAGES / 1_000);
  for (let i = 0; i < STALL_MESSAGES; i += 1_000) await step(batchOf(firstId + i, 1_000, r), qs[i / 1_000] ?? 'ward');
}

// ---- the run --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'wardline-bench-'));
  let closeApp = async () => undefined as unknown;
  const log = (line: string) => {
    if (!JSON_OUT) process.stderr.write(`${line}\n`);
  };
  try {
    log(`${MESSAGES.toLocaleString()} messages in ${CONVERSATIONS} conversations, ${BATCH} per transaction${ROUND_ROBIN ? ', round-robin' : ''}`);
    // What this machine does to an idle event loop (other processes, timer jitter): the floor.
    const idle = await stallDuring(() => sleep(3_000));
    let kdfMs = 0;
    const timedKdf: Argon2idFn = async (...a) => {
      const t0 = performance.now();
      try {
        return await argon2idInThread(...a);
      } finally {
        kdfMs = performance.now() - t0;
      }
    };
    const dataDir = join(root, 'encrypted');
    const secrets = new InsecureFileDeviceSecretProvider(dataDir);
    // The bench keeps a copy of the DB key the vault hands to the opener, to time bare opens and
    // to reopen the store on the main thread and in a worker later. The app never does this.
    let key = new Uint8Array(0);
    // What openStore(path, key, { create, checkpointer }) does, keeping the checkpoint thread to time it.
    let encCheckpoints: Checkpointer | null = null;
    const keepKey: StoreOpener<Store> = (path, k, create) => {
      key = new Uint8Array(k);
      return bindStore(openEncryptedHandle(path, k, create), (h) => (encCheckpoints = new Checkpointer(h, path, k)));
    };
    // Encrypted: enrolled and unlocked through the vault exactly as the app does.
    // The profile is enrolled through the relay by the app's core (store-app.ts), then filled here.
    const app = await prepareAppPhase(root, dataDir, PIN);
    closeApp = () => app.close();
    const vault = new ProfileVault({ dataDir, deviceSecrets: secrets, allowInsecureDeviceSecret: true, open: keepKey, argon2id: timedKdf });
    const enrolled = await vault.unlock(app.profileId, PIN);
    const plainPath = join(root, 'plain.db');
    const plainDb = new PlainDatabase(plainPath);
    applyConnectionSettings(plainDb);
    const plainCheckpoints = new Checkpointer(plainDb, plainPath, null, { workerUrl: new URL('./store-plain-checkpoints.ts', import.meta.url) });
    const plain = bindStore(plainDb, () => plainCheckpoints);
    if (!encCheckpoints) throw new Error('the vault did not open the store through keepKey');
    // Both checkpoint threads are up (the stores stop checkpointing themselves) before timing starts.
    await sleep(1_000);
    const insert = await fillBoth(enrolled.store, plain, { enc: encCheckpoints, plain: plainCheckpoints });
    log(`insert: encrypted ${Math.round(insert.enc).toLocaleString()} msg/s, plain ${Math.round(insert.plain).toLocaleString()} msg/s`);
    await enrolled.lock();

    const t0 = performance.now();
    const unlocked = await vault.unlock(enrolled.profileId, PIN);
    const unlockMs = performance.now() - t0;
    const unlockKdfMs = kdfMs;
    const enc = queries(unlocked.store);
    await unlocked.lock();
    const dbPath = join(dataDir, 'profiles', enrolled.profileId, 'store.db');
    // Open without KDF: raw key in hand (as right after unwrapping) to the first answered query.
    const openRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      openRuns.push(timeMs(() => {
        const s = openStore(dbPath, key);
        s.conversations.list({ limit: 1 });
        void s.close();
      }));
    }
    const pl = queries(plain);
    await plain.close();
    log('queries done; measuring event-loop stalls');

    // The store on the main thread with its checkpoint thread, as the in-process core opens it.
    const onMain = openStore(dbPath, key, { checkpointer: {} });
    const appStall = await stallDuring(() => receiving(onMain, MESSAGES, RECEIVE_MESSAGES));
    const mainStall = await stallDuring(() => busy(MESSAGES + RECEIVE_MESSAGES, async (b, q) => {
      onMain.messages.insertMany(b);
      onMain.search.messages(q);
      await yieldToLoop();
    }));
    await onMain.close();
    const worker: AsyncStore = await openStoreInWorker(dbPath, key);
    const workerStall = await stallDuring(() => busy(MESSAGES + RECEIVE_MESSAGES + STALL_MESSAGES, async (b, q) => {
      await worker.messages.insertMany(b);
      await worker.search.messages(q);
    }));
    await worker.close();
    key.fill(0);
    const unlockInThread = await stallDuring(async () => (await vault.unlock(enrolled.profileId, PIN)).lock());
    const offThread = new ProfileVault<AsyncStore>({ dataDir, deviceSecrets: secrets, allowInsecureDeviceSecret: true, open: openInWorker(), argon2id: argon2idInWorker() });
    const unlockOffThread = await stallDuring(async () => (await offThread.unlock(enrolled.profileId, PIN)).lock());

    log('the app: core in a worker, unlock with a retention sweep, a burst arriving');
    const appFigures = await app.measure(RETENTION_DAYS, searchQueries(200));
    const result = buildResult({ insert, unlockMs, kdfMs: unlockKdfMs, openRuns, enc, pl, stalls: { idle, appStall, mainStall, workerStall, unlockInThread, unlockOffThread }, app: appFigures });
    printTable(result);
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await closeApp();
    rmSync(root, { recursive: true, force: true });
  }
}

interface Measured {
  insert: Awaited<ReturnType<typeof fillBoth>>;
  unlockMs: number;
  kdfMs: number;
  openRuns: number[];
  enc: ReturnType<typeof queries>;
  pl: ReturnType<typeof queries>;
  stalls: Record<'idle' | 'appStall' | 'mainStall' | 'workerStall' | 'unlockInThread' | 'unlockOffThread', Stall>;
  app: AppFigures;
}

const r1 = (x: number) => +x.toFixed(1);
const r3 = (x: number) => +x.toFixed(3);
const stallOf = (x: Stall) => ({ max: r1(x.maxMs), p99: r1(x.p99Ms) });
const percentilesOf = (x: Percentiles) => ({ p50: r1(x.p50), p99: r1(x.p99), max: r1(x.max) });

function buildResult({ insert, unlockMs, kdfMs, openRuns, enc, pl, stalls, app }: Measured) {
  return {
    messages: MESSAGES, conversations: CONVERSATIONS, batch: BATCH, roundRobin: ROUND_ROBIN,
    insertPerSec: {
      encrypted: Math.round(insert.enc), plain: Math.round(insert.plain), ratio: r3(insert.enc / insert.plain),
      cpuTimeRatio: r3(insert.cpuRatio), allWorkRatio: r3(insert.allWorkRatio),
    },
    checkpointThreadBusyMs: { encrypted: Math.round(insert.checkpointMs.enc), plain: Math.round(insert.checkpointMs.plain) },
    catchUpOnInsertingThreadMs: { encrypted: Math.round(insert.catchUpMs.enc), plain: Math.round(insert.catchUpMs.plain) },
    unlockMs: r1(unlockMs), kdfMs: r1(kdfMs), unlockWithoutKdfMs: r1(unlockMs - kdfMs),
    openWithoutKdfMs: { median: r1(pct(openRuns, 50)), max: r1(Math.max(...openRuns)) },
    pageMs: { encrypted: { p50: r3(enc.pageP50), p99: r3(enc.pageP99) }, plain: { p50: r3(pl.pageP50), p99: r3(pl.pageP99) } },
    conversationListP99Ms: { encrypted: r1(enc.listP99), plain: r1(pl.listP99) },
    searchMs: { encrypted: { p50: r1(enc.searchP50), p99: r1(enc.searchP99) }, plain: { p50: r1(pl.searchP50), p99: r1(pl.searchP99) }, avgHits: r1(enc.hits / SEARCH_QUERIES) },
    eventLoopStallMs: {
      idleBaseline: stallOf(stalls.idle),
      appReceivingOnMainThread: stallOf(stalls.appStall),
      bulkOnMainThread: stallOf(stalls.mainStall),
      storeInWorker: stallOf(stalls.workerStall),
      unlockKdfOnMainThread: stallOf(stalls.unlockInThread),
      unlockKdfAndStoreInWorkers: stallOf(stalls.unlockOffThread),
      appCoreInWorker: { max: r1(app.mainStallMaxMs), p99: r1(app.mainStallP99Ms) },
    },
    app: {
      retentionDays: RETENTION_DAYS, unlockMs: Math.round(app.unlockMs), sweep: { messages: app.sweep.messages, ms: Math.round(app.sweep.ms) },
      burst: { messages: app.burst.messages, ms: Math.round(app.burst.ms) },
      callDuringSweepMs: percentilesOf(app.duringSweep), callDuringBurstMs: percentilesOf(app.duringBurst),
    },
  };
}

type BenchResult = ReturnType<typeof buildResult>;

function printTable(r: BenchResult): void {
  const out = JSON_OUT ? process.stderr : process.stdout;
  const row = (a: string, b: string, c: string, target: string, ok?: boolean) =>
    out.write(`${a.padEnd(40)}${b.padStart(14)}${c.padStart(14)}  ${target.padEnd(12)}${ok === undefined ? '' : ok ? 'ok' : 'MISSED'}\n`);
  row('', 'encrypted', 'plain', 'target');
  row('insert (msg/s)', String(r.insertPerSec.encrypted), String(r.insertPerSec.plain), `ratio>=0.85`, r.insertPerSec.ratio >= 0.85);
  row('  ratio encrypted/plain', String(r.insertPerSec.ratio), '', '');
  row('  ratio by CPU time, inserting thread', String(r.insertPerSec.cpuTimeRatio), '', '');
  row('  checkpoint thread busy (ms)', String(r.checkpointThreadBusyMs.encrypted), String(r.checkpointThreadBusyMs.plain), '');
  row('  catch-up passes, inserting thread (ms)', String(r.catchUpOnInsertingThreadMs.encrypted), String(r.catchUpOnInsertingThreadMs.plain), '');
  row('  ratio of all work incl. checkpoints', String(r.insertPerSec.allWorkRatio), '', '');
  row('unlock incl. KDF (ms)', String(r.unlockMs), '', '~1000', r.unlockMs < 1_500);
  row('  of which Argon2id (ms)', String(r.kdfMs), '', '');
  row('open without KDF (ms, median/max)', `${r.openWithoutKdfMs.median}/${r.openWithoutKdfMs.max}`, '', '<200', r.openWithoutKdfMs.max < 200);
  row('newest page p50 (ms)', String(r.pageMs.encrypted.p50), String(r.pageMs.plain.p50), '');
  row('newest page p99 (ms)', String(r.pageMs.encrypted.p99), String(r.pageMs.plain.p99), '<5', r.pageMs.encrypted.p99 < 5);
  row('conversation list p99 (ms)', String(r.conversationListP99Ms.encrypted), String(r.conversationListP99Ms.plain), '');
  row('search p50 (ms)', String(r.searchMs.encrypted.p50), String(r.searchMs.plain.p50), '');
  row('search p99 (ms)', String(r.searchMs.encrypted.p99), String(r.searchMs.plain.p99), '<50', r.searchMs.encrypted.p99 < 50);
  const st = r.eventLoopStallMs;
  row('event-loop stall max (ms): idle', String(st.idleBaseline.max), '', 'baseline');
  row('  receiving + searching, main thread', String(st.appReceivingOnMainThread.max), '', '');
  row('  bulk 1,000-message commits, main thread', String(st.bulkOnMainThread.max), '', '');
  row('  bulk 1,000-message commits, in worker', String(st.storeInWorker.max), '', '<50', st.storeInWorker.max < 50);
  row('  unlock, KDF on main thread', String(st.unlockKdfOnMainThread.max), '', '');
  row('  unlock, KDF + store in workers', String(st.unlockKdfAndStoreInWorkers.max), '', '<50', st.unlockKdfAndStoreInWorkers.max < 50);
  row('  the app: core in a worker (all below)', String(st.appCoreInWorker.max), '', '<50', st.appCoreInWorker.max < 50);
  const calls = (x: Percentiles) => `${x.p50}/${x.p99}/${x.max}`;
  row('app: unlock (ms)', String(r.app.unlockMs), '', '');
  row(`app: sweep of ${r.app.sweep.messages} done after (ms)`, String(r.app.sweep.ms), '', '');
  row('  a call meanwhile p50/p99/max (ms)', calls(r.app.callDuringSweepMs), '', '');
  row(`app: ${r.app.burst.messages} arriving from Bob (ms)`, String(r.app.burst.ms), '', '');
  row('  her calls meanwhile p50/p99/max (ms)', calls(r.app.callDuringBurstMs), '', '');
}

await main();
