/**
 * Starts the relay: database, directory key, HTTP(S) server with socket.io, background jobs.
 * Returns a handle whose close() drains the envelope writer and closes everything in order.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { relayOrigin } from '../protocol/relay';
import { watchAdminEvents } from './admin-watch';
import { AttachmentTokens } from './attachment-tokens';
import { AttachmentService } from './attachments';
import type { Config } from './config';
import type { RelayContext } from './context';
import { openDatabase } from './db/database';
import { DeviceRepository } from './db/devices';
import { EnvelopeRepository } from './db/envelopes';
import { PrekeyRepository } from './db/prekeys';
import { UserRepository } from './db/users';
import { loadOrCreateDirectoryKey } from './directory-key';
import { EnrolmentService } from './enrolment';
import { EnvelopeWriter, type WriteTurn } from './envelope-writer';
import { createRouter } from './http/router';
import type { Logger } from './log';
import { DeliveryPump } from './socket/delivery';
import { PendingAuthLimit } from './socket/pending-auth';
import { SessionRegistry } from './socket/registry';
import { createSocketServer } from './socket/server';
import { startSweeper } from './sweeper';

export interface RunningRelay {
  port: number;
  origin: string;
  close(): Promise<void>;
}

export async function startRelay(config: Config, log: Logger): Promise<RunningRelay> {
  const db = openDatabase(config.dataDir, config.sync, { autoCheckpoint: false });
  const directoryKey = loadOrCreateDirectoryKey(config.dataDir);
  const tokens = new AttachmentTokens();
  const registry = new SessionRegistry();
  const envelopes = new EnvelopeRepository(db);
  const devices = new DeviceRepository(db);
  const delivery = new DeliveryPump(envelopes);
  const writer = new EnvelopeWriter(
    { dataDir: config.dataDir, sync: config.sync, queueCap: config.queueCap, queueCapBytes: config.queueCapBytes },
    registry,
    delivery,
    log,
    (error) => {
      // Without its writer the relay cannot store anything: stop, and let the supervisor restart it.
      log.fatal({ err: error }, 'envelope writer failed');
      process.exit(1);
    },
  );
  await writer.ready();
  // Main-thread writes take their turn between the writer thread's batches (EnvelopeWriter.between).
  const turn: WriteTurn = (write) => writer.between(write);
  const attachments = new AttachmentService(db, config, tokens, log, turn);

  const router = createRouter({
    db,
    directoryKey,
    enrolment: new EnrolmentService(db, directoryKey, turn),
    attachments,
    log,
    connections: () => registry.size,
    enrolRate: config.rateEnrol,
  });
  const server = config.tls
    ? https.createServer({ cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) }, router)
    : http.createServer(router);
  // Slow-loris protection for the plain HTTP endpoints; socket.io upgrades are unaffected.
  server.requestTimeout = 10 * 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = config.tls ? 'https' : 'http';
  const origin = relayOrigin(config.publicUrl ?? `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);

  const ctx: RelayContext = {
    config,
    log,
    db,
    origin,
    users: new UserRepository(db),
    devices,
    prekeys: new PrekeyRepository(db),
    registry,
    delivery,
    writer,
    attachments,
    envelopeBuckets: new Map(),
    pendingAuth: new PendingAuthLimit(config.maxPendingAuthPerAddress, config.maxPendingAuth),
    directoryKey,
  };
  const io = createSocketServer(server, ctx);
  const stopAdminWatch = watchAdminEvents(ctx, tokens);
  const stopSweeper = startSweeper(ctx, tokens);
  const redeliver = setInterval(() => {
    const count = delivery.redeliverStalled(registry.sessions(), config.redeliverAfterMs);
    if (count > 0) log.warn({ devices: count }, 'pushed unacknowledged envelopes again to devices that acknowledged nothing');
  }, Math.min(15_000, Math.max(250, config.redeliverAfterMs / 4)));
  redeliver.unref();

  // First line on stdout, so that scripts and tests can read the bound port from it.
  log.info({ port, origin, dataDir: config.dataDir, sync: config.sync }, 'relay listening');
  if (!config.tls) log.warn('serving plain HTTP on loopback only; production needs --tls-cert and --tls-key');
  if (config.portFile) {
    fs.writeFileSync(`${config.portFile}.tmp`, String(port));
    fs.renameSync(`${config.portFile}.tmp`, config.portFile);
  }

  return {
    port,
    origin,
    async close() {
      stopAdminWatch();
      stopSweeper();
      clearInterval(redeliver);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await writer.close();
      db.close();
    },
  };
}
