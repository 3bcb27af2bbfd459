/**
 * npm run bench:e2e [-- --json]
 * Two workstations (real core: vault, SQLCipher store, messaging engine) and the real relay
 * process on 127.0.0.1. Measures send-to-stored-on-recipient latency for text at light load (one
 * message every 50 ms), and sustained one-way throughput (2,000 messages sent at once, until the
 * last is stored by the recipient). Both workstations share this process, as two profiles on two
 * machines would not: the figures include both sides' CPU on one event loop.
 */
import { addUser, startRelay } from '../tests/integration/relay/support/relay-process';
import { tempDir, Workstation } from '../tests/integration/messaging/support';

const json = process.argv.includes('--json');
const LIGHT = 300;
const BURST = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const relay = await startRelay();
  const aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  const dirs = [tempDir('bench-alice'), tempDir('bench-bob')];
  const alice = new Workstation(dirs[0]!.dir);
  const bob = new Workstation(dirs[1]!.dir);
  try {
    await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });
    await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
    await alice.engine.relay.whenAuthenticated();
    await bob.engine.relay.whenAuthenticated();
    const conversation = await bob.call('conversations.start', { userId: aliceCode.userId });

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let stored = 0;
    let lastStoredAt = 0;
    alice.core.events.on('messages.added', (m) => {
      const t = sentAt.get(m.text);
      if (t === undefined) return;
      latencies.push(performance.now() - t);
      stored++;
      lastStoredAt = performance.now();
    });

    // Warm-up: the first message sets up the session (PQXDH), which is not what we time.
    sentAt.set('warm-up', performance.now());
    await bob.call('messages.send', { conversationId: conversation.id, text: 'warm-up' });
    while (stored < 1) await new Promise((r) => setTimeout(r, 10));
    latencies.length = 0;
    stored = 0;

    for (let i = 0; i < LIGHT; i++) {
      const text = `light ${i}`;
      sentAt.set(text, performance.now());
      await bob.call('messages.send', { conversationId: conversation.id, text });
      await new Promise((r) => setTimeout(r, 50));
    }
    while (stored < LIGHT) await new Promise((r) => setTimeout(r, 10));
    const light = [...latencies].sort((a, b) => a - b);

    latencies.length = 0;
    stored = 0;
    const t0 = performance.now();
    for (let i = 0; i < BURST; i++) {
      const text = `burst ${i}`;
      sentAt.set(text, performance.now());
      await bob.call('messages.send', { conversationId: conversation.id, text });
    }
    while (stored < BURST) await new Promise((r) => setTimeout(r, 10));
    const rate = BURST / ((lastStoredAt - t0) / 1000);
    const burst = [...latencies].sort((a, b) => a - b);

    const result = {
      light: { messages: LIGHT, p50Ms: percentile(light, 50), p99Ms: percentile(light, 99), maxMs: light.at(-1) ?? NaN },
      sustained: { messages: BURST, messagesPerSecond: rate, p50Ms: percentile(burst, 50), p99Ms: percentile(burst, 99) },
      target: { p99UnderMs: 50, met: percentile(light, 99) < 50 },
    };
    const f = (n: number) => n.toFixed(1);
    console.log('| measure | value |\n|---|---:|');
    console.log(`| light load (1 msg / 50 ms): send -> stored on recipient p50 | ${f(result.light.p50Ms)} ms |`);
    console.log(`| light load p99 (target < 50 ms) | ${f(result.light.p99Ms)} ms |`);
    console.log(`| light load max | ${f(result.light.maxMs)} ms |`);
    console.log(`| sustained one-way (2,000 at once) | ${f(rate)} msg/s |`);
    console.log(`| sustained: latency p50 / p99 (queueing included) | ${f(result.sustained.p50Ms)} / ${f(result.sustained.p99Ms)} ms |`);
    if (json) console.log(JSON.stringify(result));
  } finally {
    await alice.close().catch(() => undefined);
    await bob.close().catch(() => undefined);
    await relay.kill();
    for (const d of dirs) d.remove();
  }
}

void main();
