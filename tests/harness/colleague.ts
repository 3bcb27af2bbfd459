import { createApi } from '../../main/core/api';
import { createCore } from '../../main/core/core';
import { createPolicyProvider } from '../../main/core/policy';
import { listProfiles } from '../../main/core/vault/profile-directory';
import { InsecureFileDeviceSecretProvider } from '../../main/core/vault';
import type { MethodName } from '../../protocol/channels';
import type { InputOf, OutputOf } from '../../protocol/contract';

/**
 * A headless colleague: the same core as the desktop app (vault, encrypted store, messaging
 * engine, relay connection) with no Electron and no UI. Tests use it to play the other clinician
 * in a separate process they can kill; the demo uses it for colleagues who answer.
 *
 *   node --import tsx tests/harness/colleague.ts --data DIR --pin PIN
 *        [--relay URL --code CODE]             enrol on first run; later runs unlock the profile in DIR
 *        [--reply]                              answer every message (in a group too; never another answer)
 *        [--send-to USERID --count N --prefix P] send messages P0..P(N-1), resuming after a restart
 *
 * Prints one JSON object per line: ready, received, sent, statuses.
 */
interface Args {
  data: string;
  pin: string;
  relay?: string;
  code?: string;
  reply: boolean;
  sendTo?: string;
  count: number;
  prefix: string;
  pace: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const data = get('--data');
  const pin = get('--pin');
  if (!data || !pin) throw new Error('usage: colleague --data DIR --pin PIN [--relay URL --code CODE] [--reply] [--send-to USERID --count N]');
  return {
    data,
    pin,
    relay: get('--relay'),
    code: get('--code'),
    reply: argv.includes('--reply'),
    sendTo: get('--send-to'),
    count: Number(get('--count') ?? 0),
    prefix: get('--prefix') ?? 'message ',
    pace: Number(get('--pace-ms') ?? 0),
  };
}

const out = (value: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const core = createCore({
    dataDir: args.data,
    host: 'web-host',
    version: 'colleague',
    deviceSecrets: new InsecureFileDeviceSecretProvider(args.data),
    allowInsecureDeviceSecret: true,
    policy: createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: null }),
    runtime: { reconnectDelayMs: 200 },
  });
  const api = createApi(core);
  const call = async <M extends MethodName>(method: M, input: InputOf<M>): Promise<OutputOf<M>> => {
    const result = await api(method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
    return result.value as OutputOf<M>;
  };

  const existing = listProfiles(args.data)[0];
  const me = existing
    ? await call('profiles.unlock', { profileId: existing.id, pin: args.pin })
    : await call('profiles.enrol', { relayUrl: args.relay ?? '', code: args.code ?? '', pin: args.pin });
  await core.runtime.requireOpen().engine.relay.whenAuthenticated(60_000);
  out({ event: 'ready', userId: me.userId, profileId: me.profileId, resumed: Boolean(existing) });

  core.events.on('messages.added', (m) => {
    // A conversation's own lines (a group change, a disappearing-messages timer), for tests to wait on.
    if (m.kind === 'system') out({ event: 'system', conversationId: m.conversationId, text: m.text });
    if (m.fromMe || m.kind === 'safety' || m.kind === 'system') return;
    out({ event: 'received', conversationId: m.conversationId, from: m.senderName, text: m.text });
    // Never answer an answer: two colleagues in one group would otherwise thank each other forever.
    if (args.reply && !REPLIES.includes(m.text)) {
      void call('messages.markRead', { conversationId: m.conversationId })
        .then(() => call('messages.send', { conversationId: m.conversationId, text: replyTo(m.text) }))
        .catch((err: unknown) => out({ event: 'error', message: String(err) }));
    }
  });

  if (args.sendTo) {
    const conversation = await call('conversations.start', { userId: args.sendTo });
    const open = core.runtime.requireOpen();
    // Resume after a kill: everything already committed is in the outbox or sent; continue from there.
    const already = open.store.messages.count(conversation.id);
    for (let i = already; i < args.count; i++) {
      await call('messages.send', { conversationId: conversation.id, text: `${args.prefix}${i}` });
      if (i % 100 === 0) out({ event: 'sent', n: i + 1 });
      if (args.pace > 0) await new Promise((r) => setTimeout(r, args.pace));
      else if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    out({ event: 'all-committed', count: args.count });
    const report = setInterval(() => {
      const counts: Record<string, number> = {};
      for (const m of open.store.messages.page(conversation.id, { limit: 200 }).items) counts[m.status] = (counts[m.status] ?? 0) + 1;
      out({ event: 'statuses', newest200: counts, outbox: open.store.outbox.count() });
    }, 1000);
    report.unref();
  }

  const stop = () => void core.runtime.lock('user').finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const REPLIES = ['Yes — I will check and come back to you within 10 minutes.', 'Thanks, noted.'];

/** Something a busy colleague might answer; never echoes patient details back verbatim. */
function replyTo(text: string): string {
  return /\?\s*$/.test(text) ? REPLIES[0]! : REPLIES[1]!;
}

void main().catch((err: unknown) => {
  out({ event: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
