/**
 * Relay benchmark: N devices (default 1,000) connected through one relay process, exchanging
 * envelopes in a ring (device i -> device i+1). Beside it, in the same run, a bare socket.io echo
 * server that forwards the same packets without validation or persistence: the transport ceiling.
 *
 * Measures, for each server: maximum delivered envelopes per second (closed loop, a fixed number
 * in flight per device), end-to-end latency p50/p99 from send to delivery at a fixed offered load
 * (half the relay's measured maximum), server CPU per envelope, and memory per idle connection.
 * All load comes from this one process, which shares the machine's cores with the server under
 * test: on a 2-core machine the generator's own CPU use bounds both rates.
 *
 * Latency rounds alternate between the servers too, and the machine's own pauses are measured
 * before and after (host-pauses.ts): on a shared virtual machine they set the floor of any tail.
 *
 * Both servers run with the relay's production Node flags (read from package.json by
 * tests/integration/relay/support/relay-process.ts), and `npm run bench:relay` runs this
 * generator with --single-threaded-gc too: it stands in for a thousand workstations, and V8's
 * parallel GC helper threads in it would take the servers' cores (on 2 CPUs they doubled the bare
 * server's p99).
 *
 *   npm run bench:relay [-- --devices 1000 --rounds 3 --seconds 4 --latency-rounds 3
 *                          --latency-seconds 5 --size 1024 --sync full|normal
 *                          --rate <fixed offered load, skips the maximum> --json]
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import { io, type Socket } from 'socket.io-client';
import { authChallengeMessage, enrolmentProofMessage, relayOrigin } from '../protocol/relay';
import { openDatabase } from '../server/db/database';
import { UserRepository } from '../server/db/users';
import { RELAY_NODE_FLAGS, withoutImports } from '../tests/integration/relay/support/relay-process';
import { measureHostPauses, type HostPauses } from './host-pauses';
import { cpuMs, readPort, rssBytes, settledHeap, startChild } from './relay-children';

const ECHO_SERVER = path.resolve(import.meta.dirname, 'relay-echo.ts');

type Device = { id: string; socket: Socket };

interface PhaseResult {
  maxRate: number;
  maxRateRounds: number[];
  serverCpuUsPerEnvelope: number;
  /**
   * Pooled over the latency rounds, each round's p99 beside. loopMaxMs: the server main thread's
   * longest event-loop stall while latency was measured; generatorLoopMaxMs: this process's.
   */
  latency: { offered: number; achieved: number; p50: number; p99: number; roundsP99: number[]; loopMaxMs: number; generatorLoopMaxMs: number };
  /** Per idle connection: main-thread V8 heap + buffers, and process RSS (noisier). */
  idleConnection: { heapBytes: number; rssBytes: number };
}

/** Connects sockets in waves so the server is not hit by a thousand handshakes at once. */
async function connectAll<T>(count: number, open: (index: number) => Promise<T>, wave = 100): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += wave) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(wave, count - start) }, (_, i) => open(start + i)))));
  }
  return out;
}

function connectSocket(url: string, auth?: Record<string, string>): Promise<{ socket: Socket; challenge?: { nonce: string } }> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
    socket.once('connect_error', reject);
    if (auth) socket.once('connect', () => resolve({ socket }));
    else socket.once('auth.challenge', (challenge: { nonce: string }) => resolve({ socket, challenge }));
  });
}

/** Enrols one device per code over HTTP, as a client would. */
function enrolDevices(url: string, codes: string[]) {
  return connectAll(codes.length, async (index) => {
    const code = codes[index] ?? '';
    const keys = ed25519.keygen();
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const key = { id: 1, publicKey: b64(randomBytes(32)), signature: b64(randomBytes(64)) };
    const response = await fetch(`${url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, identityKey: b64(keys.publicKey), proof: b64(ed25519.sign(enrolmentProofMessage(code, keys.publicKey), keys.secretKey)), signedPrekey: key, pqLastResortPrekey: key }),
    });
    if (response.status !== 201) throw new Error(`enrolment failed: ${await response.text()}`);
    return { keys, deviceId: ((await response.json()) as { deviceId: string }).deviceId };
  }, 50);
}

/** Connects and authenticates each enrolled device. */
function authenticateDevices(url: string, enrolled: Awaited<ReturnType<typeof enrolDevices>>): Promise<Device[]> {
  return connectAll(enrolled.length, async (index) => {
    const { keys, deviceId } = enrolled[index] as (typeof enrolled)[number];
    const { socket, challenge } = await connectSocket(url);
    const message = authChallengeMessage(relayOrigin(url), deviceId, Buffer.from(challenge?.nonce ?? '', 'base64'));
    const result = (await socket.emitWithAck('auth.prove', { deviceId, signature: Buffer.from(ed25519.sign(message, keys.secretKey)).toString('base64') })) as { ok: boolean };
    if (!result.ok) throw new Error('auth failed');
    return { id: deviceId, socket };
  });
}

/**
 * Drives traffic around the ring. Closed loop (rate undefined): each device keeps `window` sends
 * outstanding. Open loop (rate given): sends at that total rate regardless of replies.
 * Returns delivered envelopes per second and latencies (ms) measured after the warm-up.
 */
async function drive(server: ChildProcess, devices: Device[], payload: string, seconds: number, rate?: number): Promise<Drive> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let measuring = false;
  let running = true;
  let loopMaxMs = 0;
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  const onLoop = (stall: number) => {
    if (measuring) loopMaxMs = Math.max(loopMaxMs, stall);
  };
  server.on('loop', onLoop);
  const handlers = devices.map((device) => {
    const handler = (batch: { envelopes: { id: number; senderMessageId: string }[] }) => {
      const now = performance.now();
      for (const envelope of batch.envelopes) {
        const start = sentAt.get(envelope.senderMessageId);
        sentAt.delete(envelope.senderMessageId);
        if (measuring && start !== undefined) {
          delivered += 1;
          latencies.push(now - start);
        }
      }
      device.socket.emit('envelope.ack', { ids: batch.envelopes.map((envelope) => envelope.id) });
    };
    device.socket.on('envelope.deliver', handler);
    return handler;
  });
  const sendOne = (index: number): Promise<unknown> => {
    const from = devices[index] as Device;
    const to = devices[(index + 1) % devices.length] as Device;
    const id = `m${++counter}`;
    sentAt.set(id, performance.now());
    return from.socket.emitWithAck('envelope.send', { envelopes: [{ to: to.id, senderMessageId: id, payload }] });
  };
  const loops: Promise<void>[] = [];
  if (rate === undefined) {
    const window = 2;
    for (let i = 0; i < devices.length; i++) {
      for (let w = 0; w < window; w++) {
        loops.push((async () => {
          while (running) await sendOne(i);
        })());
      }
    }
  } else {
    loops.push((async () => {
      const tickMs = 5;
      let next = 0;
      const started = performance.now();
      while (running) {
        const due = Math.floor(((performance.now() - started) / 1000) * rate);
        for (; next < due; next++) void sendOne(next % devices.length);
        await sleep(tickMs);
      }
    })());
  }
  const warmup = Math.min(2, seconds / 4);
  await sleep(warmup * 1000);
  measuring = true;
  ownLoop.enable();
  const measuredFrom = performance.now();
  const cpuFrom = cpuMs(server.pid ?? 0);
  await sleep((seconds - warmup) * 1000);
  measuring = false;
  ownLoop.disable();
  const cpuUsPerEnvelope = ((cpuMs(server.pid ?? 0) - cpuFrom) * 1000) / Math.max(1, delivered);
  const elapsed = (performance.now() - measuredFrom) / 1000;
  running = false;
  await Promise.race([Promise.all(loops), sleep(5000)]);
  await sleep(500); // let in-flight deliveries drain before the next phase
  devices.forEach((device, i) => device.socket.off('envelope.deliver', handlers[i]));
  server.off('loop', onLoop);
  const generatorLoopMaxMs = Math.max(0, ownLoop.max / 1e6 - 10);
  return { rate: delivered / elapsed, latencies, cpuUsPerEnvelope, loopMaxMs, generatorLoopMaxMs };
}

interface Drive {
  rate: number;
  latencies: number[];
  cpuUsPerEnvelope: number;
  loopMaxMs: number;
  generatorLoopMaxMs: number;
}

/** Latency rounds of one server, pooled: every latency, the least achieved rate, the longest stalls. */
function pooled(rounds: Drive[]): Drive & { roundsP99: number[] } {
  return {
    rate: Math.min(...rounds.map((r) => r.rate)),
    latencies: rounds.flatMap((r) => r.latencies),
    cpuUsPerEnvelope: median(rounds.map((r) => r.cpuUsPerEnvelope)),
    loopMaxMs: Math.max(...rounds.map((r) => r.loopMaxMs)),
    generatorLoopMaxMs: Math.max(...rounds.map((r) => r.generatorLoopMaxMs)),
    roundsP99: rounds.map((r) => round(percentile(r.latencies, 99))),
  };
}

/** Message ids are unique across phases: the relay would rightly drop a repeated one as a duplicate. */
let counter = 0;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Memory per idle connection, at the margin: with all devices connected minus with half of them,
 * each read after a full GC. The first half absorbs one-off growth (libraries warming up, heap
 * reserved while enrolling) that would otherwise be billed to sockets. Reports the V8 heap and
 * buffers of the main thread (what sockets hold) and the process RSS (what the OS sees, noisier).
 */
async function idleBytesPerConnection(child: ChildProcess, count: number, connect: (from: number, to: number) => Promise<Device[]>) {
  const half = Math.floor(count / 2);
  const first = await connect(0, half);
  const heapBefore = await settledHeap(child);
  const rssBefore = rssBytes(child.pid ?? 0);
  const second = await connect(half, count);
  await sleep(500);
  const heapAfter = await settledHeap(child);
  const rssAfter = rssBytes(child.pid ?? 0);
  return { devices: [...first, ...second], heap: (heapAfter - heapBefore) / (count - half), rss: (rssAfter - rssBefore) / (count - half) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '4' },
      'latency-rounds': { type: 'string', default: '3' },
      'latency-seconds': { type: 'string', default: '5' },
      size: { type: 'string', default: '1024' },
      sync: { type: 'string', default: 'full' },
      rate: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.devices);
  const payload = randomBytes(Number(values.size)).toString('base64');
  const log = (line: string) => {
    if (!values.json) console.error(line);
  };
  const children: ChildProcess[] = [];
  process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

  // 0. How much the machine itself pauses this process, before anything else runs.
  log('machine pauses: spinning one thread per CPU for 3 s');
  const pausesBefore = await measureHostPauses(3);

  // 1. Both servers up, every device connected (the relay's enrolled and authenticated).
  log(`bare socket.io: connecting ${count} sockets`);
  const echo = startChild([ECHO_SERVER]);
  children.push(echo);
  const echoUrl = `http://127.0.0.1:${await readPort(echo)}`;
  const bare = await idleBytesPerConnection(echo, count, (from, to) =>
    connectAll(to - from, async (i) => ({ id: `d${from + i}`, socket: (await connectSocket(echoUrl, { deviceId: `d${from + i}` })).socket })),
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wardline-bench-'));
  const db = openDatabase(dataDir, 'full');
  const users = new UserRepository(db);
  const codes = db.transaction(() =>
    Array.from({ length: count }, (_, i) => users.issueCode(users.create(`user${i}`, `Bench User ${i}`, Date.now()).id, Date.now(), 3600_000).code),
  )();
  db.close();
  const portFile = path.join(dataDir, 'port');
  const relay = startChild(['server/main.ts', '--port', '0', '--data', dataDir, '--port-file', portFile, '--log-level', 'warn', '--sync', String(values.sync),
    // Lift the per-device abuse limits: this measures capacity, not policy.
    '--rate-requests', '100000', '--rate-envelopes', '100000', '--rate-burst', '100000', '--rate-enrol', '100000',
    // All devices connect from this one address, a hundred at a time.
    '--max-pending-auth-per-address', '100000', '--max-pending-auth', '100000']);
  children.push(relay);
  const relayUrl = `http://127.0.0.1:${await readPort(relay, portFile)}`;
  log(`relay: enrolling and authenticating ${count} devices`);
  const enrolled = await enrolDevices(relayUrl, codes);
  const wardline = await idleBytesPerConnection(relay, count, (from, to) => authenticateDevices(relayUrl, enrolled.slice(from, to)));

  // 2. Maximum rate, alternating servers round by round so that load from other processes on a
  //    shared machine hits both alike; medians are reported.
  const bareRounds: Awaited<ReturnType<typeof drive>>[] = [];
  const relayRounds: Awaited<ReturnType<typeof drive>>[] = [];
  const fixedRate = values.rate === undefined ? undefined : Number(values.rate);
  for (let round = 1; fixedRate === undefined && round <= Number(values.rounds); round++) {
    log(`maximum rate, round ${round}: bare socket.io, then relay`);
    bareRounds.push(await drive(echo, bare.devices, payload, Number(values.seconds)));
    relayRounds.push(await drive(relay, wardline.devices, payload, Number(values.seconds)));
  }
  const bareMax = median(bareRounds.map((r) => r.rate));
  const relayMax = median(relayRounds.map((r) => r.rate));

  // 3. Latency at a fixed offered load: half the relay's maximum (or --rate). Rounds alternate
  //    like the maximum's, so a spell of machine noise (see hostPauses) falls on both servers
  //    alike and cannot decide the figure alone; each server's rounds are pooled.
  const offered = fixedRate ?? Math.round(relayMax / 2);
  const relayLatencyRounds: Drive[] = [];
  const bareLatencyRounds: Drive[] = [];
  for (let round = 1; round <= Number(values['latency-rounds']); round++) {
    log(`latency at ${offered} envelopes/s, round ${round}: relay, then bare socket.io`);
    relayLatencyRounds.push(await drive(relay, wardline.devices, payload, Number(values['latency-seconds']), offered));
    bareLatencyRounds.push(await drive(echo, bare.devices, payload, Number(values['latency-seconds']), offered));
  }
  const relayLatency = pooled(relayLatencyRounds);
  const bareLatency = pooled(bareLatencyRounds);

  const summary = (rounds: typeof bareRounds, latency: typeof bareLatency, memory: { heap: number; rss: number }): PhaseResult => ({
    maxRate: Math.round(median(rounds.map((r) => r.rate))),
    maxRateRounds: rounds.map((r) => Math.round(r.rate)),
    serverCpuUsPerEnvelope: Math.round(median(rounds.map((r) => r.cpuUsPerEnvelope))),
    latency: {
      offered,
      achieved: Math.round(latency.rate),
      p50: round(percentile(latency.latencies, 50)),
      p99: round(percentile(latency.latencies, 99)),
      roundsP99: latency.roundsP99,
      loopMaxMs: round(latency.loopMaxMs),
      generatorLoopMaxMs: round(latency.generatorLoopMaxMs),
    },
    idleConnection: { heapBytes: Math.round(memory.heap), rssBytes: Math.round(memory.rss) },
  });
  for (const device of [...bare.devices, ...wardline.devices]) device.socket.close();
  await Promise.all([relay, echo].map((child) => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  })));
  fs.rmSync(dataDir, { recursive: true, force: true });
  log('machine pauses: again, after the run');
  const pausesAfter = await measureHostPauses(3);
  const result = {
    devices: count,
    payloadBytes: Number(values.size),
    cpus: os.cpus().length,
    bare: summary(bareRounds, bareLatency, bare),
    relay: { ...summary(relayRounds, relayLatency, wardline), sync: values.sync },
    ratio: round(relayMax / bareMax),
    nodeFlags: { servers: RELAY_NODE_FLAGS, generator: withoutImports(process.execArgv) },
    hostPauses: { before: roundPauses(pausesBefore), after: roundPauses(pausesAfter) },
  };
  if (values.json) console.log(JSON.stringify(result));
  else printTable(result);
}

type Result = { devices: number; payloadBytes: number; cpus: number; bare: PhaseResult; relay: PhaseResult & { sync?: string }; ratio: number; nodeFlags: { servers: string[]; generator: string[] }; hostPauses: { before: HostPauses; after: HostPauses } };

function printTable(result: Result): void {
  const row = (name: string, bare: string, relay: string) => console.log(`${name.padEnd(36)}${bare.padStart(18)}${relay.padStart(18)}`);
  const { offered } = result.relay.latency;
  const flags = (list: string[]) => (list.length > 0 ? list.join(' ') : 'none');
  console.log(`\n${result.devices} devices, ${result.payloadBytes}-byte payloads, ${result.cpus} CPUs shared with the load generator, relay --sync ${result.relay.sync}`);
  console.log(`Node flags: servers ${flags(result.nodeFlags.servers)} (as npm run relay), load generator ${flags(result.nodeFlags.generator)}`);
  row('', 'bare socket.io', 'wardline relay');
  row('max envelopes/s (median of rounds)', String(result.bare.maxRate), String(result.relay.maxRate));
  row('  rounds', result.bare.maxRateRounds.join(' '), result.relay.maxRateRounds.join(' '));
  row('server CPU per envelope (us)', String(result.bare.serverCpuUsPerEnvelope), String(result.relay.serverCpuUsPerEnvelope));
  row(`latency p50 @ ${offered}/s (ms)`, String(result.bare.latency.p50), String(result.relay.latency.p50));
  row(`latency p99 @ ${offered}/s (ms)`, String(result.bare.latency.p99), String(result.relay.latency.p99));
  row('  p99 of each round (ms)', result.bare.latency.roundsP99.join(' '), result.relay.latency.roundsP99.join(' '));
  row('main-thread stall max at that load (ms)', String(result.bare.latency.loopMaxMs), String(result.relay.latency.loopMaxMs));
  row('  load generator\'s own stall max (ms)', String(result.bare.latency.generatorLoopMaxMs), String(result.relay.latency.generatorLoopMaxMs));
  row('achieved at that load (/s)', String(result.bare.latency.achieved), String(result.relay.latency.achieved));
  const kib = (bytes: number) => (bytes / 1024).toFixed(1);
  row('idle connection: heap after GC (KiB)', kib(result.bare.idleConnection.heapBytes), kib(result.relay.idleConnection.heapBytes));
  row('idle connection: process RSS (KiB)', kib(result.bare.idleConnection.rssBytes), kib(result.relay.idleConnection.rssBytes));
  const pauses = (p: HostPauses) => `${p.perSecond.toFixed(1)}/s per CPU, longest ${p.maxMs.toFixed(1)} ms, ${p.lostPercent.toFixed(2)}% of the time`;
  console.log(`machine pauses with nothing else running (> 2 ms): before ${pauses(result.hostPauses.before)}; after ${pauses(result.hostPauses.after)}`);
  console.log(`relay / bare throughput: ${result.ratio} (target >= 0.5); relay p99 at half load: ${result.relay.latency.p99} ms (target < 50)`);
}

function median(values: number[]): number {
  return values.length === 0 ? NaN : percentile(values, 50);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function roundPauses(pauses: HostPauses): HostPauses {
  return { ...pauses, perSecond: round(pauses.perSecond), maxMs: round(pauses.maxMs), lostPercent: round(pauses.lostPercent) };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
