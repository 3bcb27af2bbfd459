/**
 * npm run bench:group [-- --members 200 --rounds 5 --json]
 * Issue 10, point 6: one message to a large group. N headless members (the real messaging engine
 * over a real SQLCipher store each, tests/harness/group-members.ts) enrolled on the real relay
 * process on 127.0.0.1. Measures:
 *   - set-up: enrolling N members, creating the group with all of them, until every one joined;
 *   - the admin's first message (sender-key distribution to every device over the pairwise
 *     sessions the group's creation opened) and a plain member's first message (distribution over
 *     new pairwise sessions, one PQXDH per device): until 'sent', and until every member stored it;
 *   - steady state, R rounds from the admin: sender-side time (sendText() until the relay acknowledged
 *     the one fan-out and the message is 'sent'; target < 100 ms) and until every member stored it;
 *   - after each of two removals: from changeGroup() until a message from another member (who must
 *     first apply the change, make a new sender key and distribute it to every remaining device)
 *     is 'sent', and until every remaining member stored it.
 * Placement: only the two senders, the admin (member 0) and member 1 (who sends after the
 * removals), run in this process; the other N-2 members run in K member hosts (`--hosts`, default
 * 2; bench/group-host.ts, one child process each), which report over IPC when their members joined
 * and stored a text, with wall-clock times. So a sender's event loop no longer also runs 198
 * decryptions, commits and receipts; it still runs the other sender's one, and on one machine all
 * processes (relay, hosts, bench) still share its CPUs, as N workstations would not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hexToBytes } from '@noble/hashes/utils.js';
import { createSenderKey, groupEncrypt } from '../main/core/crypto';
import { GroupMember, issueUsers } from '../tests/harness/group-members';
import { startRelay } from '../tests/integration/relay/support/relay-process';
import type { IssuedUser } from '../tests/harness/group-members';
import { FromHost, wallNow } from './group-wire';
import type { ToHost } from './group-wire';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    hosts: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const SIZE = Number(values.members);
const ROUNDS = Number(values.rounds);
const HOSTS = Number(values.hosts);
if (!(SIZE >= 3) || !(HOSTS >= 1) || !(ROUNDS >= 1)) throw new Error('--members must be at least 3, --hosts and --rounds at least 1');
const TARGET_SENDER_MS = 100;
const ENROL_BATCH = 20;
const REMOVALS = 2;
const ROOT = path.resolve(import.meta.dirname, '..');

const log = (line: string) => console.error(`[bench:group] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Everything of one run lives in RUN: the relay's data and every member's store (os.tmpdir() of
 * the hosts and of this process points into it once the relay has started). Every child process started (relay, member hosts) is
 * killed and RUN removed on any exit, so neither a process nor a store outlives a run.
 */
const RUN = fs.mkdtempSync(path.join(os.tmpdir(), 'wardline-bench-group-'));
const children = new Set<ChildProcess>();
/** The environment children start with: TMPDIR as given (tsx keeps its compile cache there). */
const CHILD_ENV = { ...process.env };
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(RUN, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

/** Polls every `ms` until `done()`; returns the wall-clock time it was seen true. */
async function until(what: string, done: () => boolean, timeoutMs: number, ms = 20): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(ms);
  }
  return wallNow();
}

type Answer<T extends FromHost['type']> = Extract<FromHost, { type: T }>;

/**
 * This side of one member host (bench/group-host.ts, a child process with its own event loop):
 * requests go out over IPC, answers are matched by type (and text) to the oldest request waiting.
 * A host's error or exit fails every request waiting on it, so the run stops instead of hanging.
 */
class MemberHost {
  private readonly child: ChildProcess;
  private readonly waiting: { type: FromHost['type']; text?: string; resolve: (m: FromHost) => void; reject: (e: Error) => void }[] = [];
  private readonly exited: Promise<void>;
  private failure: Error | null = null;
  /** Engine problems its members logged, known once it closed. */
  problems: string[] = [];

  constructor(readonly index: number, readonly users: readonly IssuedUser[]) {
    // As relay-process.ts starts the relay: this Node, tsx as a loader, the repository as cwd.
    this.child = fork(path.join(ROOT, 'bench/group-host.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], env: CHILD_ENV, stdio: ['ignore', 2, 2, 'ipc'] });
    children.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.fail(new Error(`member host ${index} exited (${signal ?? code})`));
        resolve();
      });
    });
    this.child.on('message', (raw) => {
      const parsed = FromHost.safeParse(raw);
      if (!parsed.success) return this.fail(new Error(`member host ${index}: malformed answer: ${parsed.error.message}`));
      const m = parsed.data;
      if (m.type === 'error') return this.fail(new Error(`member host ${index}: ${m.message}`));
      if (m.type === 'closed') this.problems = m.problems;
      const i = this.waiting.findIndex((w) => w.type === m.type && (w.text === undefined || ('text' in m && m.text === w.text)));
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(m);
    });
  }

  /** The host's next answer of this type (and text). */
  answer<T extends FromHost['type']>(type: T, text?: string): Promise<Answer<T>> {
    const answer = this.failure
      ? Promise.reject(this.failure)
      : new Promise<Answer<T>>((resolve, reject) => this.waiting.push({ type, text, resolve: resolve as (m: FromHost) => void, reject }));
    answer.catch(() => undefined); // awaited later, perhaps after it failed: not unhandled
    return answer;
  }

  ask<T extends FromHost['type']>(message: ToHost, type: T, text?: string): Promise<Answer<T>> {
    const answer = this.answer(type, text);
    if (this.child.connected) this.child.send(message);
    return answer;
  }

  /** Asks the host to close its members and exit; kills it if it has not within 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToHost);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
    children.delete(this.child);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}

/** Who must store a message: members in this process, and every host's members but `except`. */
interface Recipients {
  local: readonly GroupMember[];
  hosts: readonly MemberHost[];
  except: readonly string[];
}

interface Delivery {
  /** sendText() until the message's status is 'sent' (the relay stored the fan-out). */
  sentMs: number;
  /** sendText() until every recipient's store has it. */
  allStoredMs: number;
}

/**
 * Sends one text once every host watches for it; polls (1 ms) for the sender's 'sent' status and
 * for the text among the messages each local recipient's engine reported added, and takes the
 * hosts' wall-clock times for their members.
 */
async function sendAndTrack(sender: GroupMember, to: Recipients, gid: string, text: string, t0?: number): Promise<Delivery> {
  const stored = to.hosts.map((h) => h.answer('stored', text));
  await Promise.all(to.hosts.map((h) => h.ask({ type: 'watchText', gid, text, except: [...to.except] }, 'watching', text)));
  const cursors = new Map(to.local.map((m) => [m, m.added.length]));
  const start = wallNow();
  const from = t0 ?? start;
  let localAt = start;
  const id = sender.engine.sendText(gid, text).id;
  let sentAt = 0;
  while (sentAt === 0 || cursors.size > 0) {
    const now = wallNow();
    if (sentAt === 0 && sender.store.messages.get(id)?.status === 'sent') sentAt = now;
    for (const [m, cursor] of cursors) {
      let next = cursor;
      for (; next < m.added.length; next++) if (m.store.messages.get(m.added[next] as string)?.body === text) break;
      if (next < m.added.length) {
        cursors.delete(m);
        localAt = now;
      } else cursors.set(m, next);
    }
    if (now > start + 600_000) throw new Error(`"${text}": sent=${sentAt !== 0}, ${cursors.size} local members without it after 600 s`);
    if (sentAt === 0 || cursors.size > 0) await sleep(1);
  }
  const hostAts = (await Promise.all(stored)).map((a) => a.at);
  return { sentMs: sentAt - from, allStoredMs: Math.max(localAt, ...hostAts) - from };
}

/**
 * Between measurements: every delivery receipt back at the sender and every outbox empty (here and
 * in every host), so that one round's receipts do not load the next round.
 */
async function settle(sender: GroupMember, local: readonly GroupMember[], hosts: readonly MemberHost[], gid: string, text: string | null, expected: number): Promise<void> {
  const mine = () => sender.texts(gid).find((m) => m.body === text);
  if (text !== null) await until(`receipts for "${text}"`, () => {
    const m = mine();
    return m !== undefined && (sender.engine.groups.receiptSummary(m)?.delivered ?? 0) >= expected;
  }, 120_000, 50).catch((err: unknown) => log(String(err)));
  await until('outboxes empty', () => local.every((m) => m.store.outbox.pending().length === 0), 120_000, 50).catch((err: unknown) => log(String(err)));
  await Promise.all(hosts.map((h) => h.ask({ type: 'idle' }, 'idle')));
  await sleep(200);
}
/**
 * Records how long each group.send request of one member takes (request to relay's answer): the
 * part of the sender-side time spent on the relay and the socket, not in this process's code.
 */
function timeGroupSends(member: GroupMember): number[] {
  const times: number[] = [];
  const relay = member.engine.relay;
  const request = relay.request.bind(relay);
  relay.request = (async (...args: Parameters<typeof request>) => {
    const t0 = performance.now();
    try {
      return await request(...args);
    } finally {
      if (args[0] === 'group.send') times.push(performance.now() - t0);
    }
  }) as typeof relay.request;
  return times;
}

/** The sender's pure CPU per message: one sender-key encryption of a short text (µs). */
function encryptCostUs(gid: string): number {
  const rng = (n: number) => new Uint8Array(randomBytes(n));
  let key = createSenderKey({ groupId: hexToBytes(gid.slice('group:'.length)), epoch: 1 }, rng);
  const plaintext = new Uint8Array(120).fill(0x61);
  const ad = new Uint8Array(80);
  for (let i = 0; i < 50; i++) key = groupEncrypt(key, plaintext, ad).state;
  const n = 1000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) key = groupEncrypt(key, plaintext, ad).state;
  return ((performance.now() - t0) * 1000) / n;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dataDir = path.join(RUN, 'relay');
  fs.mkdirSync(dataDir);
  // Lift the per-device abuse limits and the enrolment rate: this measures the group, not policy.
  const relay = await startRelay({ dataDir, args: ['--rate-requests', '5000', '--rate-envelopes', '100000', '--rate-burst', '100000', '--rate-enrol', '1000', '--max-pending-auth-per-address', '1000'] });
  children.add(relay.child);
  const relayPid = relay.child.pid;
  if (relayPid === undefined) throw new Error('the relay process has no pid');
  const tmpDir = (name: string) => {
    fs.mkdirSync(path.join(RUN, name));
    return path.join(RUN, name);
  };
  process.env.TMPDIR = tmpDir('bench');
  const local: GroupMember[] = [];
  const hosts: MemberHost[] = [];
  try {
    // 1. Set-up: codes issued here, members 0 and 1 enrolled here, the rest by the hosts at once.
    let t = wallNow();
    const users = issueUsers(relay.dataDir, Array.from({ length: SIZE }, (_, i) => ({ username: `member${i}`, displayName: `Clinician ${i}` })));
    const placed = users.slice(2);
    const hostCount = Math.min(HOSTS, placed.length);
    for (let k = 0; k < hostCount; k++) {
      hosts.push(new MemberHost(k, placed.slice(Math.floor((k * placed.length) / hostCount), Math.floor(((k + 1) * placed.length) / hostCount))));
    }
    log(`enrolling ${SIZE} members: 2 here, ${placed.length} in ${hostCount} member hosts (${hosts.map((h) => h.users.length).join(' + ')})`);
    const ready = hosts.map(async (h) => {
      const answer = await h.ask({ type: 'enrol', relayUrl: relay.url, tmpDir: tmpDir(`host-${h.index}`), relayPid, users: [...h.users], batch: ENROL_BATCH }, 'ready');
      if (answer.userIds.join() !== h.users.map((u) => u.userId).join()) throw new Error(`member host ${h.index} enrolled other users`);
    });
    local.push(...(await Promise.all(users.slice(0, 2).map((u) => GroupMember.enrol(relay.url, u, { quiet: true })))));
    await Promise.all(ready);
    await until('relay authentication', () => local.every((m) => m.engine.relay.state === 'authenticated'), 300_000);
    const enrolMs = wallNow() - t;
    log(`enrolled in ${(enrolMs / 1000).toFixed(1)} s; creating the group`);
    const [admin, second] = local as [GroupMember, GroupMember];
    t = wallNow();
    const gid = admin.engine.groups.create('Ward 7 rota', users.slice(1).map((u) => u.userId));
    const joined = await Promise.all(hosts.map((h) => h.ask({ type: 'watchJoin', gid }, 'joined')));
    const joinedHere = await until('member 1 joined', () => second.store.groups.get(gid) !== null, 600_000, 10);
    const createMs = Math.max(joinedHere, ...joined.map((j) => j.at)) - t;
    log(`group created, all joined in ${(createMs / 1000).toFixed(1)} s`);
    await settle(admin, local, hosts, gid, null, 0);

    // 2. First messages: the admin's (sessions exist), then a plain member's (new sessions).
    const everyoneBut = (sender: GroupMember): Recipients => ({ local: local.filter((m) => m !== sender), hosts, except: [] });
    const adminFirst = await sendAndTrack(admin, everyoneBut(admin), gid, 'first from the admin');
    await settle(admin, local, hosts, gid, 'first from the admin', SIZE - 1);
    log(`admin's first message: sent ${adminFirst.sentMs.toFixed(0)} ms, all stored ${adminFirst.allStoredMs.toFixed(0)} ms`);
    const memberFirst = await sendAndTrack(second, everyoneBut(second), gid, 'first from a member');
    await settle(second, local, hosts, gid, 'first from a member', SIZE - 1);
    log(`plain member's first message: sent ${memberFirst.sentMs.toFixed(0)} ms, all stored ${memberFirst.allStoredMs.toFixed(0)} ms`);

    // 3. Steady state.
    const steady: Delivery[] = [];
    const relayTimes = timeGroupSends(admin);
    for (let r = 1; r <= ROUNDS; r++) {
      const text = `steady round ${r}`;
      steady.push(await sendAndTrack(admin, everyoneBut(admin), gid, text));
      log(`round ${r}: sent ${steady.at(-1)!.sentMs.toFixed(1)} ms, all stored ${steady.at(-1)!.allStoredMs.toFixed(0)} ms`);
      await settle(admin, local, hosts, gid, text, SIZE - 1);
    }

    // 4. Removals: the admin removes one member (the last host's last); the second member (who has
    //    sessions with everyone since its first message) sends as soon as it has applied the change.
    const removals: (Delivery & { appliedAtSenderMs: number })[] = [];
    const removed: string[] = [];
    for (let k = 0; k < REMOVALS; k++) {
      const userId = (users[SIZE - 1 - k] as IssuedUser).userId;
      removed.push(userId);
      const text = `after removal ${k + 1}`;
      const t0 = wallNow();
      admin.engine.groups.change(gid, { type: 'remove', userIds: [userId] });
      const applied = await until('removal applied at the sender', () => !second.engine.groups.info(gid).members.some((m) => m.userId === userId), 300_000, 1);
      const delivery = await sendAndTrack(second, { local: [admin], hosts, except: removed }, gid, text, t0);
      removals.push({ ...delivery, appliedAtSenderMs: applied - t0 });
      log(`removal ${k + 1}: applied at the sender ${(applied - t0).toFixed(0)} ms, sent ${delivery.sentMs.toFixed(0)} ms, all stored ${delivery.allStoredMs.toFixed(0)} ms`);
      await settle(second, local, hosts, gid, text, SIZE - removed.length - 1);
      const leaked = await Promise.all(hosts.map((h) => h.ask({ type: 'count', gid, text, userIds: removed }, 'count', text)));
      if (leaked.some((c) => c.n > 0)) throw new Error(`a removed member stored "${text}"`);
    }

    await Promise.all(hosts.map((h) => h.stop()));
    const problems = [...local.flatMap((m) => m.log.map((l) => l.event)), ...hosts.flatMap((h) => h.problems)];
    const sent = steady.map((d) => d.sentMs);
    const stored = steady.map((d) => d.allStoredMs);
    const r1 = (n: number) => Math.round(n * 10) / 10;
    const result = {
      members: SIZE,
      rounds: ROUNDS,
      cpus: os.cpus().length,
      placement: { inBenchProcess: local.length, hosts: hosts.length, perHost: hosts.map((h) => h.users.length) },
      setup: { enrolMs: r1(enrolMs), createUntilAllJoinedMs: r1(createMs) },
      firstMessage: {
        admin: { sentMs: r1(adminFirst.sentMs), allStoredMs: r1(adminFirst.allStoredMs) },
        member: { sentMs: r1(memberFirst.sentMs), allStoredMs: r1(memberFirst.allStoredMs) },
      },
      steady: {
        senderSideMs: { p50: r1(percentile(sent, 50)), max: r1(Math.max(...sent)), rounds: sent.map(r1) },
        allStoredMs: { p50: r1(percentile(stored, 50)), max: r1(Math.max(...stored)), rounds: stored.map(r1) },
        relayGroupSendMs: { p50: r1(percentile(relayTimes, 50)), max: r1(Math.max(...relayTimes)) },
        senderKeyEncryptUs: r1(encryptCostUs(gid)),
      },
      afterRemoval: removals.map((d) => ({ appliedAtSenderMs: r1(d.appliedAtSenderMs), rekeyAndSentMs: r1(d.sentMs), allStoredMs: r1(d.allStoredMs) })),
      problems: problems.length,
      target: { senderSideUnderMs: TARGET_SENDER_MS, met: Math.max(...sent) < TARGET_SENDER_MS },
    };
    printTable(result);
    if (values.json) console.log(JSON.stringify(result));
    if (problems.length > 0) log(`engine problems logged: ${[...new Set(problems)].join(', ')}`);
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    await Promise.all(local.map((m) => m.close().catch(() => undefined)));
    await relay.kill();
  }
}

function printTable(r: {
  members: number; rounds: number; cpus: number;
  placement: { inBenchProcess: number; hosts: number; perHost: number[] };
  setup: { enrolMs: number; createUntilAllJoinedMs: number };
  firstMessage: Record<'admin' | 'member', { sentMs: number; allStoredMs: number }>;
  steady: { senderSideMs: { p50: number; max: number }; allStoredMs: { p50: number; max: number }; relayGroupSendMs: { p50: number; max: number }; senderKeyEncryptUs: number };
  afterRemoval: { appliedAtSenderMs: number; rekeyAndSentMs: number; allStoredMs: number }[];
}): void {
  const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(1)} ms`);
  const met = (n: number) => (n < TARGET_SENDER_MS ? 'met' : 'not met');
  const hosted = r.placement.perHost.reduce((a, b) => a + b, 0);
  console.log(`\n${r.members}-member group, ${r.rounds} steady rounds, ${r.placement.hosts + 2} processes (bench, ${r.placement.hosts} member hosts, relay) on ${r.cpus} CPUs\n`);
  console.log('| measure | value | target | |\n|---|---:|---|---|');
  const row = (name: string, value: string, target = '', verdict = '') => console.log(`| ${name} | ${value} | ${target} | ${verdict} |`);
  row('placement', `${hosted} receivers in ${r.placement.hosts} host processes (${r.placement.perHost.join(' + ')}); admin and member 1, the two senders, in the bench process`);
  row(`set-up: enrol ${r.members} members (batches of ${ENROL_BATCH} per process, hosts' start included)`, ms(r.setup.enrolMs));
  row('set-up: create group until all joined', ms(r.setup.createUntilAllJoinedMs));
  row('first message (admin, existing sessions): sent', ms(r.firstMessage.admin.sentMs));
  row('first message (admin): all stored', ms(r.firstMessage.admin.allStoredMs));
  row('first message (member, new sessions): sent', ms(r.firstMessage.member.sentMs));
  row('first message (member): all stored', ms(r.firstMessage.member.allStoredMs));
  row('steady: sender-side (sendText to sent) p50', ms(r.steady.senderSideMs.p50), `< ${TARGET_SENDER_MS} ms`, met(r.steady.senderSideMs.p50));
  row('steady: sender-side max', ms(r.steady.senderSideMs.max), `< ${TARGET_SENDER_MS} ms`, met(r.steady.senderSideMs.max));
  row('steady: of which the group.send round trip to the relay, p50 / max', `${ms(r.steady.relayGroupSendMs.p50)} / ${ms(r.steady.relayGroupSendMs.max)}`);
  row('steady: all stored p50', ms(r.steady.allStoredMs.p50));
  row('steady: all stored max', ms(r.steady.allStoredMs.max));
  row('steady: sender-key encryption (CPU)', `${r.steady.senderKeyEncryptUs.toFixed(1)} µs`);
  r.afterRemoval.forEach((d, i) => {
    row(`removal ${i + 1}: change applied at next sender`, ms(d.appliedAtSenderMs));
    row(`removal ${i + 1}: rekey + send until sent`, ms(d.rekeyAndSentMs));
    row(`removal ${i + 1}: all remaining stored`, ms(d.allStoredMs));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
