/**
 * EnvelopeWriter.between: a main-thread write transaction (prekeys, enrolment, attachments,
 * clean-up) waits on a promise for the batch in flight to be answered, instead of waiting for the
 * writer thread's lock inside SQLite's busy handler, which would put the main thread to sleep.
 * A real writer thread and checkpoint thread on a real SQLite file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/db/database';
import { DeviceRepository } from '../../../server/db/devices';
import { EnvelopeRepository } from '../../../server/db/envelopes';
import { UserRepository } from '../../../server/db/users';
import { EnvelopeWriter } from '../../../server/envelope-writer';
import { createLogger } from '../../../server/log';
import { DeliveryPump } from '../../../server/socket/delivery';
import { SessionRegistry } from '../../../server/socket/registry';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function start(): Promise<{ db: Db; writer: EnvelopeWriter; sender: { deviceId: string; userId: string }; to: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wardline-write-turn-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const db = openDatabase(dataDir, 'full', { autoCheckpoint: false });
  cleanup.push(() => {
    db.close();
  });
  const enrol = (name: string) => {
    const user = new UserRepository(db).create(name, name, Date.now());
    const deviceId = randomUUID();
    new DeviceRepository(db).insert({ id: deviceId, userId: user.id, identityKey: randomBytes(32), certificate: randomBytes(80), createdAt: Date.now() });
    return { deviceId, userId: user.id };
  };
  const sender = enrol('alice');
  const to = enrol('bob').deviceId;
  const writer = new EnvelopeWriter(
    { dataDir, sync: 'full', queueCap: 10_000, queueCapBytes: 1 << 28 },
    new SessionRegistry(),
    new DeliveryPump(new EnvelopeRepository(db)),
    createLogger('silent'),
    (error) => {
      throw error;
    },
  );
  await writer.ready();
  cleanup.push(() => writer.close());
  return { db, writer, sender, to };
}

const envelope = (to: string) => ({ to, senderMessageId: randomUUID(), payload: randomBytes(64).toString('base64') });

describe('a main-thread write beside the envelope writer', () => {
  it('runs at once when no batch is in flight', async () => {
    const { writer } = await start();
    let ran = false;
    const result = writer.between(() => {
      ran = true;
      return 42;
    });
    expect(ran).toBe(true);
    await expect(result).resolves.toBe(42);
  });

  it('waits for the batch in flight to be committed and answered, and runs before the next batch', async () => {
    const { db, writer, sender, to } = await start();
    const stored = db.prepare('SELECT count(*) AS n FROM envelopes');
    const order: string[] = [];
    const first = writer.send(sender, [envelope(to)]);
    await nextTurn(); // the batch is posted to the writer thread on the turn after the send
    const write = writer.between(() => {
      order.push('write');
      return (stored.get() as { n: number }).n;
    });
    const second = writer.send(sender, [envelope(to)]).then(() => order.push('second batch answered'));
    expect(order).toEqual([]); // not run while the first batch is in flight
    await Promise.all([first, second]);
    // It saw the first batch committed and not the second, which was posted only after it ran.
    await expect(write).resolves.toBe(1);
    expect(order).toEqual(['write', 'second batch answered']);
  });

  it('never meets the writer thread holding the lock, however busy it is', async () => {
    const { db, writer, sender, to } = await start();
    // No busy handler on this connection: a write that found the lock taken would fail at once.
    db.pragma('busy_timeout = 0');
    const users = new UserRepository(db);
    const sends: Promise<unknown>[] = [];
    let written = 0;
    for (let round = 0; round < 40; round++) {
      sends.push(writer.send(sender, [envelope(to), envelope(to)]));
      await nextTurn();
      await writer.between(() => db.transaction(() => users.create(`user${round}`, `User ${round}`, Date.now())).immediate());
      written += 1;
    }
    const results = (await Promise.all(sends)) as { status: string }[][];
    expect(written).toBe(40);
    expect(results.flat().every((result) => result.status === 'stored')).toBe(true);
    expect(users.list().filter((user) => user.username.startsWith('user'))).toHaveLength(40);
  });

  it('waits for a clean-up sweep on the writer thread too, and a second sweep while one runs is not posted', async () => {
    const { db, writer, sender, to } = await start();
    // Delivered envelopes past the dedupe window: the sweep deletes 10,000 of them in one statement.
    const seed = db.prepare('INSERT INTO envelopes (recipient_device_id, sender_device_id, sender_user_id, sender_message_id, sent_at, size, payload, acked_at) VALUES (?, ?, ?, ?, 1, 0, NULL, 2)');
    db.transaction(() => {
      for (let i = 0; i < 15_000; i++) seed.run(to, sender.deviceId, sender.userId, `old-${i}`);
    })();
    db.pragma('busy_timeout = 0');
    const users = new UserRepository(db);
    // The sweep is queued behind a batch: when that batch is answered, the writer thread is
    // already deleting, and a write let through then would fail with SQLITE_BUSY.
    const sent = writer.send(sender, [envelope(to)]);
    await nextTurn();
    const swept = writer.sweep(Date.now());
    const again = writer.sweep(Date.now());
    const write = writer.between(() => db.transaction(() => users.create('carol', 'Carol', Date.now())).immediate());
    await expect(write).resolves.toMatchObject({ username: 'carol' });
    await expect(swept).resolves.toBe(10_000);
    await expect(again).resolves.toBe(0);
    await expect(sent).resolves.toEqual([expect.objectContaining({ status: 'stored' })]);
    const left = db.prepare('SELECT count(*) AS n FROM envelopes WHERE acked_at IS NOT NULL').get() as { n: number };
    expect(left.n).toBe(5_000);
  });
});
