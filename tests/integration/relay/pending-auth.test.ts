/**
 * Connections still to answer their challenge are bounded per remote address and in all
 * (server/socket/pending-auth.ts): one machine cannot hold thousands of sockets open for the auth
 * timeout each. A refused connection gets HTTP 400 before any WebSocket exists; a place is freed
 * when its connection authenticates, closes, or is closed by the auth timeout. Sources other than
 * 127.0.0.1 are other loopback addresses (127.0.0.2, 127.0.0.3), which Linux routes to lo.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';
import { enrolledDevice, type TestDevice } from './support/device';
import { addUser, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
const open: Socket[] = [];

beforeAll(async () => {
  relay = await startRelay({ args: ['--max-pending-auth-per-address', '3', '--max-pending-auth', '5', '--auth-timeout-ms', '1500'] });
  alice = await enrolledDevice(relay.url, (await addUser(relay.dataDir, 'alice', 'Dr Alice')).code);
});
afterAll(async () => {
  for (const socket of open) socket.close();
  await relay.kill();
});

type Attempt = { admitted: true; socket: Socket; nonce: string } | { admitted: false; error: Error & { description?: unknown } };

/** Opens a socket from `from` and reports whether the relay challenged it or refused it. */
function attempt(from: string): Promise<Attempt> {
  // localAddress is passed through to the ws client in Node; socket.io-client's types omit it.
  const socket = io(relay.url, { transports: ['websocket'], reconnection: false, forceNew: true, localAddress: from } as Parameters<typeof io>[1]);
  return new Promise((resolve) => {
    socket.once('auth.challenge', (challenge: { nonce: string }) => {
      open.push(socket);
      resolve({ admitted: true, socket, nonce: challenge.nonce });
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ admitted: false, error });
    });
  });
}

const admitted = (result: Attempt) => {
  if (!result.admitted) throw new Error(`refused: ${result.error.message}`);
  return result;
};

/** Whether a connection from `from` is admitted now; an admitted probe is closed again. */
async function probe(from: string): Promise<boolean> {
  const result = await attempt(from);
  if (result.admitted) result.socket.close();
  return result.admitted;
}

describe('connections waiting to authenticate', () => {
  it('are bounded per address and in all; authenticating, closing or timing out frees a place', async () => {
    const local = [admitted(await attempt('127.0.0.1')), admitted(await attempt('127.0.0.1')), admitted(await attempt('127.0.0.1'))];
    const fourth = await attempt('127.0.0.1');
    expect(fourth.admitted).toBe(false);
    // Refused at the HTTP upgrade, before a WebSocket existed.
    expect(fourth.admitted ? '' : String((fourth.error.description as { message?: string } | undefined)?.message)).toMatch(/400/);

    // Another address has places of its own, up to the overall bound of five.
    const other = [admitted(await attempt('127.0.0.2')), admitted(await attempt('127.0.0.2'))];
    expect((await attempt('127.0.0.3')).admitted).toBe(false);
    // The refusals touched nothing else: HTTP is served, and the waiting sockets still work.
    expect((await fetch(`${relay.url}/health`)).status).toBe(200);

    // Authenticating frees the place at once; the authenticated socket is served as usual.
    const [first] = local;
    const proof = (await first!.socket.timeout(5_000).emitWithAck('auth.prove', { deviceId: alice.deviceId, signature: alice.sign(first!.nonce) })) as { ok: boolean };
    expect(proof.ok).toBe(true);
    const replacement = admitted(await attempt('127.0.0.1'));
    expect((await attempt('127.0.0.1')).admitted).toBe(false);
    const search = (await first!.socket.timeout(5_000).emitWithAck('directory.search', { query: 'alice' })) as { ok: boolean };
    expect(search.ok).toBe(true);

    // A client that gives up frees its place once the relay sees the connection close.
    other[0]!.socket.close();
    await eventually('a place freed by a closed connection', () => probe('127.0.0.3'), 10_000);

    // The rest are closed by the auth timeout (1.5 s), and every place is free again; the
    // authenticated socket stays connected.
    const closed = [local[1]!, local[2]!, other[1]!, replacement].map(({ socket }) => new Promise((resolve) => socket.once('disconnect', resolve)));
    await Promise.all(closed);
    const again = [await attempt('127.0.0.1'), await attempt('127.0.0.1'), await attempt('127.0.0.1'), await attempt('127.0.0.2'), await attempt('127.0.0.2')];
    expect(again.map((result) => result.admitted)).toEqual([true, true, true, true, true]);
    expect(first!.socket.connected).toBe(true);
    expect(relay.output()).toContain('connections refused: too many waiting to authenticate');
  }, 30_000);
});
