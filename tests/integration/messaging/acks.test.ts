import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RelayRequestError } from '../../../main/core/net/relay-client';
import { addUser, startRelay } from '../relay/support/relay-process';
import { conversationWith, enrolAll, eventually, tempDir, Workstation } from './support';

/**
 * The relay keeps an envelope, and counts it against the device's delivery window, until the
 * device acknowledges it; it pushes unacknowledged ones again only on the next connection. So an
 * acknowledgement the relay refuses (its per-connection request limit) must be sent again, or the
 * queue stalls for as long as the connection lasts: what once hung the fault test for good.
 */
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('acknowledgements', () => {
  it('are sent again after the relay refuses them, so the queue drains on the same connection', async () => {
    // Two requests a second per connection (a burst of eight), so a busy workstation runs out.
    const relay = await startRelay({ args: ['--rate-requests', '2'] });
    cleanups.push(() => relay.kill());
    const aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
    const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
    const dirs = [tempDir('acks-alice'), tempDir('acks-bob')];
    for (const d of dirs) cleanups.push(() => d.remove());
    const alice = new Workstation(dirs[0]!.dir);
    const bob = new Workstation(dirs[1]!.dir);
    cleanups.push(() => alice.close(), () => bob.close());
    await enrolAll(relay.url, [
      [alice, aliceCode.code, '482916'],
      [bob, bobCode.code, '907311'],
    ]);

    const conversation = await bob.call('conversations.start', { userId: aliceCode.userId });
    await bob.call('messages.send', { conversationId: conversation.id, text: 'first' });
    const atAlice = await conversationWith(alice, bobCode.userId);
    await eventually('first at Alice', () => alice.store.messages.count(atAlice.id) === 1, 30_000);

    // Alice's workstation spends its allowance on look-ups while Bob's messages arrive, until
    // the relay has refused at least one of her acknowledgements.
    const refusedAck = () => alice.log.some((l) => l.event === 'receive.ack_failed' && l.fields?.code === 'rate_limited');
    let busy = true;
    const lookUps = (async () => {
      while (busy) {
        await alice.engine.relay.request('directory.search', { query: 'singh' }).catch((err: unknown) => {
          if (!(err instanceof RelayRequestError && err.code === 'rate_limited')) throw err;
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let sent = 1;
    try {
      await eventually(
        'a refused acknowledgement',
        async () => {
          await bob.call('messages.send', { conversationId: conversation.id, text: `result ${sent++}` });
          return refusedAck();
        },
        60_000,
      );
    } finally {
      busy = false;
      await lookUps;
    }

    await eventually('every message at Alice', () => alice.store.messages.count(atAlice.id) === sent, 60_000);
    // Nothing left waiting for Alice at the relay: the refused acknowledgements were sent again.
    const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true, fileMustExist: true });
    cleanups.push(() => db.close());
    const pending = db.prepare('SELECT count(*) AS n FROM envelopes WHERE recipient_device_id = ? AND acked_at IS NULL');
    const aliceDevice = alice.engine.account.deviceId;
    await eventually('an empty queue for Alice', () => (pending.get(aliceDevice) as { n: number }).n === 0, 30_000);
    expect((pending.get(aliceDevice) as { n: number }).n).toBe(0);
  }, 180_000);
});
