/**
 * One member host of `npm run bench:group`: started by bench/group.ts with child_process.fork
 * (`node --import tsx bench/group-host.ts`), it runs some of the group's receiving members (real
 * engine, real SQLCipher store each) in their own process, so that their decryption, commits and
 * receipts do not run on the measured sender's event loop, as they would not on N workstations.
 * It talks to the bench only over the IPC channel (bench/group-wire.ts) and only reports: it never
 * sends a group message. When told to close, on SIGTERM/SIGINT, or when the channel closes, it
 * closes its members and exits; if the channel closed unasked (the bench was killed), it ends the
 * relay too. So no process outlives a failed run.
 */
import { GroupMember } from '../tests/harness/group-members';
import { ToHost, wallNow } from './group-wire';
import type { FromHost } from './group-wire';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const members: GroupMember[] = [];
let closing: Promise<void> | null = null;
let relayPid: number | null = null;

function send(message: FromHost): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(message, undefined, {}, () => resolve());
  });
}

/** Polls every `ms` until `done()`; returns the wall-clock time it was seen true. */
async function until(what: string, done: () => boolean, timeoutMs: number, ms: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`host ${process.pid}: timed out waiting for ${what}`);
    await sleep(ms);
  }
  return wallNow();
}

async function handle(message: ToHost): Promise<void> {
  switch (message.type) {
    case 'enrol': {
      relayPid = message.relayPid;
      // GroupMember makes its store's folder in os.tmpdir(); set only now, after tsx has found its
      // compile cache in the usual one.
      process.env.TMPDIR = message.tmpDir;
      for (let i = 0; i < message.users.length; i += message.batch) {
        const batch = message.users.slice(i, i + message.batch);
        members.push(...(await Promise.all(batch.map((u) => GroupMember.enrol(message.relayUrl, u, { quiet: true })))));
      }
      await until('relay authentication', () => members.every((m) => m.engine.relay.state === 'authenticated'), 300_000, 20);
      return send({ type: 'ready', userIds: members.map((m) => m.userId) });
    }
    case 'watchJoin': {
      const at = await until(`all joined ${message.gid}`, () => members.every((m) => m.store.groups.get(message.gid) !== null), 600_000, 10);
      return send({ type: 'joined', gid: message.gid, count: members.length, at });
    }
    case 'watchText': {
      // Only the ids each engine reports added from now on are read, so the 1 ms poll stays cheap
      // beside the decryptions it is timing.
      const except = new Set(message.except);
      const cursors = new Map(members.filter((m) => !except.has(m.userId)).map((m) => [m, m.added.length]));
      const count = cursors.size;
      await send({ type: 'watching', text: message.text });
      const at = await until(`"${message.text}" stored by ${count}`, () => {
        for (const [m, cursor] of cursors) {
          let next = cursor;
          for (; next < m.added.length; next++) {
            if (m.store.messages.get(m.added[next] as string)?.body === message.text) break;
          }
          if (next < m.added.length) cursors.delete(m);
          else cursors.set(m, next);
        }
        return cursors.size === 0;
      }, 600_000, 1);
      return send({ type: 'stored', text: message.text, count, at });
    }
    case 'count': {
      const asked = new Set(message.userIds);
      const n = members.filter((m) => asked.has(m.userId) && m.texts(message.gid).some((t) => t.body === message.text)).length;
      return send({ type: 'count', text: message.text, n });
    }
    case 'idle': {
      await until('outboxes empty', () => members.every((m) => m.store.outbox.pending().length === 0), 120_000, 50).catch((error: unknown) => console.error(String(error)));
      return send({ type: 'idle' });
    }
    case 'close':
      return shutdown(0);
  }
}

/** Closes every member (their temporary stores go with them), reports, exits. Runs once. */
function shutdown(code: number): Promise<void> {
  closing ??= (async () => {
    await Promise.all(members.map((m) => m.close().catch(() => undefined)));
    await send({ type: 'closed', problems: members.flatMap((m) => m.log.map((l) => l.event)) });
    process.exit(code);
  })();
  return closing;
}

if (!process.send) {
  console.error('bench/group-host.ts is started by bench/group.ts (child_process.fork), not by hand');
  process.exit(2);
}
process.on('message', (raw) => {
  const parsed = ToHost.safeParse(raw);
  if (!parsed.success) {
    void send({ type: 'error', message: `host ${process.pid}: malformed message: ${parsed.error.message}` });
    return;
  }
  handle(parsed.data).catch((error: unknown) => {
    void send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
process.on('disconnect', () => {
  // The bench went away without telling us to close: it was killed, and cannot end the relay.
  if (closing === null && relayPid !== null) {
    try {
      process.kill(relayPid, 'SIGTERM');
    } catch {
      // already gone (another host ended it)
    }
  }
  void shutdown(1);
});
process.on('SIGTERM', () => void shutdown(1));
process.on('SIGINT', () => void shutdown(1));
