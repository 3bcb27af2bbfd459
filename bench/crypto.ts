/**
 * npm run bench:crypto [-- --json]
 *
 * Messages per second for Wardline's protocol engine and for libsignal (native) on the same
 * rows, both persisting session state to bytes after every message. Prints a table; with
 * --json, also one JSON object on the last line. Rates are medians of REPEATS runs.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Conversation, Driver, Party } from './crypto-driver';
import { libsignalDriver } from './crypto-libsignal';
import { wardlineDriver } from './crypto-wardline';

const REPEATS = 3;
const SET_UPS = 40;
const BURST = 1_000;
const PING_PONG = 200;
const LONG_CONVERSATION = 20_000;
const FLOOR_ROUNDS = 5;
const BLOCK = 10;

interface Row {
  readonly name: string;
  /** Runs once on a driver and returns how many messages it handled. */
  readonly run: (driver: Driver) => Promise<number>;
}

const rows: Row[] = [
  {
    name: 'session set-up',
    run: async (d) => {
      await d.prepareSetUps(SET_UPS);
      const t0 = performance.now();
      for (let i = 0; i < SET_UPS; i++) await d.setUp(i);
      return rate(SET_UPS, t0);
    },
  },
  ...[32, 1024, 64 * 1024].map((size) => ({
    name: `one-way ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`} x${BURST}`,
    run: async (d: Driver) => {
      const c = await d.conversation();
      const plaintext = randomBytes(size);
      const t0 = performance.now();
      const sent: Uint8Array[] = [];
      for (let i = 0; i < BURST; i++) sent.push(await c.send('alice', plaintext));
      for (const m of sent) check(await c.receive('bob', m), size);
      return rate(BURST, t0);
    },
  })),
  {
    name: `ping-pong (DH step each) x${PING_PONG}`,
    run: async (d) => {
      const c = await d.conversation();
      const plaintext = randomBytes(32);
      const t0 = performance.now();
      for (let i = 0; i < PING_PONG; i++) {
        const [from, to]: [Party, Party] = i % 2 === 0 ? ['alice', 'bob'] : ['bob', 'alice'];
        check(await c.receive(to, await c.send(from, plaintext)), 32);
      }
      return rate(PING_PONG, t0);
    },
  },
  {
    name: `reverse order 32 B x${BURST}`,
    run: async (d) => {
      const c = await d.conversation();
      const plaintext = randomBytes(32);
      const t0 = performance.now();
      const sent: Uint8Array[] = [];
      for (let i = 0; i < BURST; i++) sent.push(await c.send('alice', plaintext));
      for (let i = sent.length - 1; i >= 0; i--) check(await c.receive('bob', sent[i] as Uint8Array), 32);
      return rate(BURST, t0);
    },
  },
];

function rate(count: number, t0: number): number {
  return (count * 1000) / (performance.now() - t0);
}

function check(plaintext: Uint8Array, size: number): void {
  if (plaintext.length !== size) throw new Error('benchmark message did not round-trip');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Ping-pong against the floor noble's X25519 sets: one key generation plus two shared secrets
 * (fresh keys, as the ratchet uses them) per message. The machine is shared, so the two are
 * measured in alternating blocks of BLOCK and their accumulated times compared; the median of
 * FLOOR_ROUNDS such comparisons is reported.
 */
async function pingPongVsFloor(d: Driver): Promise<{ floor: number; ratio: number }> {
  const floors: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < FLOOR_ROUNDS; round++) {
    const c = await d.conversation();
    const plaintext = randomBytes(32);
    let previous = x25519.keygen();
    let floorMs = 0;
    let pingPongMs = 0;
    for (let block = 0; block < PING_PONG / BLOCK; block++) {
      let t0 = performance.now();
      for (let i = 0; i < BLOCK; i++) {
        const next = x25519.keygen();
        x25519.getSharedSecret(previous.secretKey, next.publicKey);
        x25519.getSharedSecret(next.secretKey, previous.publicKey);
        previous = next;
      }
      floorMs += performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < BLOCK; i++) {
        const [from, to]: [Party, Party] = i % 2 === 0 ? ['alice', 'bob'] : ['bob', 'alice'];
        check(await c.receive(to, await c.send(from, plaintext)), 32);
      }
      pingPongMs += performance.now() - t0;
    }
    floors.push((PING_PONG * 1000) / floorMs);
    ratios.push(floorMs / pingPongMs);
  }
  return { floor: median(floors), ratio: median(ratios) };
}

interface MemoryPoint {
  readonly messages: number;
  readonly sessionBytes: number;
  readonly heapMiB: number;
}

/**
 * A long conversation with bursts from either side, 10% of messages lost and the rest
 * delivered shuffled: persisted size and heap at checkpoints should level off once old
 * chains (and their skipped keys) are pruned.
 */
async function longConversation(d: Driver): Promise<MemoryPoint[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const c: Conversation = await d.conversation();
  const points: MemoryPoint[] = [];
  const plaintext = randomBytes(64);
  let sent = 0;
  let next = LONG_CONVERSATION / 5;
  while (sent < LONG_CONVERSATION) {
    const from: Party = Math.random() < 0.5 ? 'alice' : 'bob';
    const to: Party = from === 'alice' ? 'bob' : 'alice';
    const burst: Uint8Array[] = [];
    for (let i = 1 + Math.floor(Math.random() * 20); i > 0; i--, sent++) burst.push(await c.send(from, plaintext));
    const delivered = burst.filter(() => Math.random() >= 0.1).sort(() => Math.random() - 0.5);
    for (const m of delivered) await c.receive(to, m);
    if (sent >= next) {
      gc();
      const sessionBytes = Math.max(c.persistedSize('alice'), c.persistedSize('bob'));
      points.push({ messages: sent, sessionBytes, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 });
      next += LONG_CONVERSATION / 5;
    }
  }
  return points;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const drivers = [wardlineDriver(), libsignalDriver()];
  const results: { row: string; wardline: number; libsignal: number; ratio: number }[] = [];
  for (const row of rows) {
    const rates: number[] = [];
    for (const driver of drivers) {
      await row.run(driver); // warm-up
      const runs: number[] = [];
      for (let i = 0; i < REPEATS; i++) runs.push(await row.run(driver));
      rates.push(median(runs));
    }
    const [wardline = 0, libsignal = 0] = rates;
    results.push({ row: row.name, wardline, libsignal, ratio: wardline / libsignal });
    if (!json) process.stderr.write(`  measured ${row.name}\n`);
  }
  const { floor, ratio: pingPongVsFloorRatio } = await pingPongVsFloor(drivers[0] as Driver);
  const memory = await longConversation(drivers[0] as Driver);

  const table = [
    ['row', 'wardline msg/s', 'libsignal msg/s', 'wardline/libsignal'],
    ...results.map((r) => [r.row, r.wardline.toFixed(0), r.libsignal.toFixed(0), r.ratio.toFixed(2)]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length))) ?? [];
  for (const line of table) console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
  console.log(
    `\nping-pong floor from noble X25519 (1 keygen + 2 DH per step): ${floor.toFixed(0)} msg/s; ` +
      `wardline ping-pong / floor = ${pingPongVsFloorRatio.toFixed(2)} (median of ${FLOOR_ROUNDS} rounds, alternating blocks of ${BLOCK})`,
  );
  console.log(`\nlong conversation (wardline, ${LONG_CONVERSATION} messages, 10% lost, shuffled):`);
  for (const p of memory) console.log(`  after ${String(p.messages).padStart(6)} messages: session ${p.sessionBytes} B, heap ${p.heapMiB.toFixed(1)} MiB`);
  if (json) {
    console.log(
      JSON.stringify({
        bench: 'crypto',
        node: process.version,
        repeats: REPEATS,
        rows: results,
        pingPongFloor: floor,
        pingPongVsFloor: pingPongVsFloorRatio,
        memory,
      }),
    );
  }
}

await main();
