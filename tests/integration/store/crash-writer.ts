/**
 * Child process for crash.test.ts: writes bursts of received messages (message + ratchet state
 * + dedupe marker in one transaction) and outgoing messages (message + outbox entry), printing
 * each transaction's number to stdout only after it committed. The parent kills it with SIGKILL.
 * With WARDLINE_CRASH_CHECKPOINTS=thread the WAL is checkpointed by the app's checkpoint thread,
 * so the kill can also land in the middle of a checkpoint.
 */
import { writeSync } from 'node:fs';
import { openStore } from '../../../main/core/store';

const path = process.env.WARDLINE_CRASH_DB;
const keyHex = process.env.WARDLINE_CRASH_KEY;
if (!path || !keyHex) throw new Error('WARDLINE_CRASH_DB and WARDLINE_CRASH_KEY are required');
const key = new Uint8Array(Buffer.from(keyHex, 'hex'));
const threaded = process.env.WARDLINE_CRASH_CHECKPOINTS === 'thread';
const store = openStore(path, key, { create: true, ...(threaded ? { checkpointer: { policy: { intervalMs: 10, rewindFrames: 400 } } } : {}) });
// Give the checkpoint thread time to start, so that it is copying pages throughout the burst.
if (threaded) await new Promise((resolve) => setTimeout(resolve, 800));
if (!store.conversations.get('c')) store.conversations.create({ id: 'c', kind: 'group', title: 'burst', now: 0 });

const body = 'x'.repeat(300);
// Continue after what earlier (killed) runs committed.
for (let i = store.messages.count(); ; i++) {
  const device = `d${i % 50}`;
  if (i % 3 === 2) {
    store.messages.insertOutgoing(
      { id: `m-${i}`, conversationId: 'c', direction: 'out', senderUserId: 'me', senderDeviceId: 'd1', senderMessageId: `m-${i}`, body: `${i} ${body}`, status: 'pending', sentAt: i },
      [{ kind: 'message', recipientUserId: 'bob', recipientDeviceId: device, nextAttemptAt: i, createdAt: i }],
    );
  } else {
    const marker = { senderUserId: 'bob', senderDeviceId: device, senderMessageId: `s-${i}` };
    store.storeReceived({
      message: { id: `m-${i}`, conversationId: 'c', direction: 'in', ...marker, body: `${i} ${body}`, status: 'received', sentAt: i, receivedAt: i },
      sessionUpdate: { userId: 'bob', deviceId: device, record: new TextEncoder().encode(String(i)) },
      dedupeMarker: marker,
      now: i,
    });
  }
  writeSync(1, `${i}\n`);
}
