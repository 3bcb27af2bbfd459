import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { createApi } from '../../main/core/api';
import type { Dispatch } from '../../main/core/api';
import { createCore } from '../../main/core/core';
import type { CoreEvents } from '../../main/core/events';
import { spawnCoreWorker } from '../../main/core/host/client';
import { createPolicyProvider, fileSource } from '../../main/core/policy';
import { InsecureFileDeviceSecretProvider } from '../../main/core/vault';
import type { Core } from '../../main/core/core';
import { contentSecurityPolicy } from '../../main/app/csp';
import { LOCK_EVENTS, watchPowerEvents } from '../../main/app/power';
import type { PowerLockEvent } from '../../main/app/power';
import type { LockReason } from '../../protocol/models';
import { mimeType, resolveStaticPath } from '../../main/app/static-files';
import { MAX_ATTACHMENT_BYTES } from '../../protocol/contract';
import { fail } from '../../protocol/result';
import { parseClientFrame } from './frames';
import type { ServerFrame } from './frames';

/**
 * The web host: main/core in plain Node, the built renderer over HTTP on 127.0.0.1, and
 * window.wardline provided over a WebSocket with the same contract, the same dispatch and the
 * same validation as the Electron path. For tests and the demo; never shipped.
 *
 * The WebSocket stands in for Electron's sender-frame check: it is accepted only with this run's
 * random token and only from this host's own origin, so another page or process on the machine
 * cannot drive the core.
 */
export interface WebHostOptions {
  dataDir: string;
  rendererDir: string;
  bridgeScript: string;
  port?: number;
  version?: string;
  /** A policy file standing in for Group Policy (tests set short lock timeouts with it). */
  policyFile?: string;
  /** Where desktop notifications would appear; the command line prints them as JSON lines. */
  onNotification?: (text: { title: string; body: string }) => void;
  /**
   * Tests only (`--test-hooks`): POST /__harness/os-event?token=… with {"event": "lock-screen" |
   * "suspend" | "user-switch"} plays the OS event Electron's powerMonitor would emit, through the
   * same wiring as main/app (watchPowerEvents). Off unless asked for.
   */
  testHooks?: boolean;
  /** The built checkpoint worker (dist/main/checkpoint-worker.cjs): stores checkpoint beside the core, as in the app. */
  checkpointWorker?: URL;
  /**
   * The built core worker (dist/main/core-worker.cjs): main/core runs in a worker thread as in the
   * app (main/core/host), and this process only moves frames. Without it the core runs in this
   * process, where `core` is reachable (the seed hook needs that).
   */
  coreWorker?: URL;
}

export interface WebHost {
  url: string;
  origin: string;
  token: string;
  /** The core itself when it runs in this process; null when it runs in a worker (coreWorker). */
  core: Core | null;
  close(): Promise<void>;
}

/** What the host needs of the core, wherever it runs. */
interface CoreSeam {
  core: Core | null;
  dispatch: Dispatch;
  events: Pick<CoreEvents, 'onAny'>;
  /** Resolves with whether a profile was open. */
  lockNow(reason: LockReason): Promise<boolean>;
  close(): Promise<void>;
}

/** The largest invoke: attachments.send with a 25 MiB file as base64, plus the JSON around it. */
const MAX_FRAME_BYTES = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 64 * 1024;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(24).toString('base64url');
  const seam = options.coreWorker ? await coreInWorker(options, options.coreWorker) : coreInProcess(options);
  const { core, dispatch } = seam;
  let origin = '';

  // The OS as Electron's powerMonitor reports it, for the test hook; idle time stays the page's.
  const powerMonitor = Object.assign(new EventEmitter(), {
    getSystemIdleTime: () => 0,
    getSystemIdleState: () => 'unknown' as const,
  });
  let lastLock: Promise<boolean> = Promise.resolve(false);
  const stopPowerEvents = options.testHooks ? watchPowerEvents(powerMonitor, { lockNow: (reason) => (lastLock = seam.lockNow(reason)) }) : () => undefined;

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch(() => send(res, 500, 'text/plain', 'Internal error'));
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (options.testHooks && url.pathname === '/__harness/os-event') return osEvent(req, res, url);
    if (options.testHooks && url.pathname === '/__harness/seed') return seed(req, res, url);
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Method not allowed');
    if (url.pathname === '/__harness/bridge.js') {
      return send(res, 200, mimeType('x.js'), await readFile(options.bridgeScript));
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      // The page is handed out only with the token, which it then uses for the socket.
      if (!sameSecret(url.searchParams.get('token'), token)) return send(res, 403, 'text/plain', 'This link needs the token the host printed.');
      const html = (await readFile(join(options.rendererDir, 'index.html'), 'utf8')).replace(
        '<head>',
        `<head>\n    <meta name="wardline-harness-token" content="${token}" />\n    <script src="/__harness/bridge.js"></script>`,
      );
      return send(res, 200, mimeType('x.html'), html);
    }
    const file = resolveStaticPath(options.rendererDir, url.pathname);
    if (!file) return send(res, 404, 'text/plain', 'Not found');
    try {
      return send(res, 200, mimeType(file), await readFile(file));
    } catch {
      return send(res, 404, 'text/plain', 'Not found');
    }
  }

  /**
   * Benchmarks only (`--test-hooks`): writes `count` received messages from a colleague straight
   * into the open profile's encrypted store, as years of a busy ward conversation would leave it,
   * so the interface can be measured at 100,000 messages without sending them all.
   */
  async function seed(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!sameSecret(url.searchParams.get('token'), token)) return send(res, 403, 'text/plain', 'This hook needs the token the host printed.');
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'Method not allowed');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const input = JSON.parse(body) as { peerUserId: string; peerName: string; count: number };
    if (!core) return send(res, 501, 'text/plain', 'Seeding writes into the store directly: start the host with --core-in-process.');
    const open = core.runtime.current;
    if (!open || !Number.isSafeInteger(input.count) || input.count < 1 || input.count > 1_000_000) return send(res, 400, 'text/plain', 'Unlock a profile; count 1..1000000.');
    const conversationId = `direct:${input.peerUserId}`;
    const start = Date.now() - input.count * 60_000;
    open.store.transaction(() => {
      open.store.contacts.upsert({ userId: input.peerUserId, displayName: input.peerName, now: Date.now() });
      if (!open.store.conversations.get(conversationId)) {
        open.store.conversations.create({ id: conversationId, kind: 'direct', title: input.peerName, now: start, members: [input.peerUserId] });
      }
    });
    for (let from = 0; from < input.count; from += 10_000) {
      const batch = [];
      for (let i = from; i < Math.min(input.count, from + 10_000); i++) {
        const mine = i % 3 === 0;
        batch.push({
          id: `seed-${i}`, conversationId, direction: mine ? ('out' as const) : ('in' as const),
          senderUserId: mine ? open.account.userId : input.peerUserId, senderDeviceId: 'seed', senderMessageId: `seed-${i}`,
          body: `Ward round note ${i}: obs stable, plan reviewed${i % 7 === 0 ? ', bloods to chase before the afternoon handover' : ''}.`,
          status: mine ? ('read' as const) : ('received' as const), sentAt: start + i * 60_000, receivedAt: start + i * 60_000 + 500,
        });
      }
      open.store.messages.insertMany(batch);
    }
    return send(res, 200, 'application/json', JSON.stringify({ conversationId, count: input.count }));
  }

  /** The test hook: 403 without the token, 400 for anything but a known OS event. */
  async function osEvent(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!sameSecret(url.searchParams.get('token'), token)) return send(res, 403, 'text/plain', 'This hook needs the token the host printed.');
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'Method not allowed');
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > 1024) return send(res, 413, 'text/plain', 'Too large');
    }
    let event: unknown;
    try {
      event = (JSON.parse(body) as { event?: unknown }).event;
    } catch {
      event = undefined;
    }
    const name = event === 'user-switch' ? 'user-did-resign-active' : event;
    if (typeof name !== 'string' || !Object.hasOwn(LOCK_EVENTS, name)) {
      return send(res, 400, 'text/plain', 'Expected {"event": "lock-screen" | "suspend" | "user-switch"}.');
    }
    powerMonitor.emit(name as PowerLockEvent);
    const wasOpen = await lastLock;
    return send(res, 200, 'application/json', JSON.stringify({ event, reason: LOCK_EVENTS[name as PowerLockEvent], wasOpen }));
  }

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Security-Policy': contentSecurityPolicy({ connect: origin.replace(/^http/, 'ws') }),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const allowed = url.pathname === '/__harness/ws' && sameSecret(url.searchParams.get('token'), token) && req.headers.origin === origin;
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const reply = (frame: ServerFrame) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
    const off = seam.events.onAny((event, payload) => reply({ type: 'event', event, payload }));
    ws.on('close', off);
    // An oversized or malformed frame ends this socket, never the host process.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parseClientFrame(data.toString());
      if (!frame) {
        reply({ type: 'protocol-error', message: 'Frames are JSON objects {type:"invoke", id, method, input}.' });
        return;
      }
      void dispatch(frame.method, frame.input).then(
        (result) => reply({ type: 'result', id: frame.id, result }),
        () => reply({ type: 'result', id: frame.id, result: fail('internal', 'Something went wrong inside Wardline.') }),
      );
    });
  }

  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, '127.0.0.1', resolveListen));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('web host did not bind a TCP port');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    core,
    close: async () => {
      stopPowerEvents();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await seam.close();
    },
  };
}

/** The web host is for tests and the demo: it says plainly that its device secret is not protected. */
const insecureSecrets = (dataDir: string) => new InsecureFileDeviceSecretProvider(dataDir);

function coreInProcess(options: WebHostOptions): CoreSeam {
  const core = createCore({
    dataDir: options.dataDir,
    host: 'web-host',
    version: options.version ?? '0.0.0-dev',
    deviceSecrets: insecureSecrets(options.dataDir),
    allowInsecureDeviceSecret: true,
    policy: createPolicyProvider({
      log: { warn: (message) => console.error(`policy: ${message}`) },
      registry: null,
      files: options.policyFile ? fileSource(options.policyFile, { trust: 'any' }) : null,
    }),
    workstation: { showNotification: (text) => void options.onNotification?.(text) },
    ...(options.checkpointWorker ? { runtime: { checkpointer: { workerUrl: options.checkpointWorker, warn: (m) => console.error(`checkpoint: ${m}`) } } } : {}),
  });
  return {
    core,
    dispatch: createApi(core),
    events: core.events,
    lockNow: (reason) => {
      const wasOpen = core.runtime.current !== null;
      core.workstation.lockNow(reason);
      return Promise.resolve(wasOpen);
    },
    close: () => Promise.resolve(),
  };
}

/** main/core in a worker thread, wired as main/app/main.ts wires it, with the page's activity for idle time. */
async function coreInWorker(options: WebHostOptions, workerUrl: URL): Promise<CoreSeam> {
  const deviceSecrets = insecureSecrets(options.dataDir);
  const client = spawnCoreWorker(
    {
      dataDir: options.dataDir,
      host: 'web-host',
      version: options.version ?? '0.0.0-dev',
      deviceSecret: { name: deviceSecrets.name, secure: deviceSecrets.secure },
      allowInsecureDeviceSecret: true,
      idle: 'page',
      clipboard: 'memory',
      notifications: true,
      policyFile: options.policyFile ?? null,
      ...(options.checkpointWorker ? { workers: { checkpoint: options.checkpointWorker.href } } : {}),
    },
    { deviceSecrets, showNotification: (text) => void options.onNotification?.(text) },
    { workerUrl },
  );
  await client.ready;
  return {
    core: null,
    dispatch: client.dispatch,
    events: client.events,
    lockNow: async (reason) => {
      const locked = await client.lockNow(reason);
      return locked.ok && locked.value;
    },
    close: async () => void (await client.close()),
  };
}

function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Command line: `node dist/harness/host.cjs [--data-dir DIR] [--port N] [--policy-file FILE]
 * [--test-hooks] [--core-in-process]`; prints the URL to open. The core runs in a worker thread,
 * as in the app, unless --core-in-process (the seed hook needs it).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const distDir = resolve(__dirname, '..');
  const dataDir = flag('--data-dir') ?? mkdtempSync(join(tmpdir(), 'wardline-demo-'));
  const host = await startWebHost({
    dataDir,
    rendererDir: join(distDir, 'renderer'),
    bridgeScript: join(distDir, 'harness', 'bridge.js'),
    port: Number(flag('--port') ?? 0),
    policyFile: flag('--policy-file'),
    onNotification: (text) => console.log(JSON.stringify({ event: 'notification', ...text })),
    testHooks: args.includes('--test-hooks'),
    checkpointWorker: pathToFileURL(join(distDir, 'main', 'checkpoint-worker.cjs')),
    // As in the app, unless a bench needs the seed hook (which writes into the store directly).
    ...(args.includes('--core-in-process') ? {} : { coreWorker: pathToFileURL(join(distDir, 'main', 'core-worker.cjs')) }),
  });
  console.log(JSON.stringify({ event: 'web-host-ready', url: host.url, dataDir }));
  console.log(`\nWardline web host is running. Open this address in a browser:\n\n  ${host.url}\n\nData folder: ${dataDir}\nPress Ctrl+C to stop.`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void main();
