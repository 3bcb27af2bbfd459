import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { enrolledDevice, type Connection, type TestDevice } from './support/device';
import { addUser, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;
let alice: TestDevice;
let bob: TestDevice;
let carol: TestDevice;
let dave: TestDevice;
let a: Connection;
let b: Connection;
let c: Connection;
let d: Connection;

beforeAll(async () => {
  relay = await startRelay({ args: ['--max-attachment-bytes', String(2 * 1024 * 1024)] });
  const code = async (name: string) => (await addUser(relay.dataDir, name, name)).code;
  [alice, bob, carol, dave] = [
    await enrolledDevice(relay.url, await code('alice')),
    await enrolledDevice(relay.url, await code('bob')),
    await enrolledDevice(relay.url, await code('carol')),
    await enrolledDevice(relay.url, await code('dave')),
  ];
  [a, b, c, d] = await Promise.all([alice.online(), bob.online(), carol.online(), dave.online()]);
});
afterAll(async () => {
  for (const connection of [a, b, c, d]) connection.close();
  await relay.kill();
});

async function slot(size: number, recipients: TestDevice[]) {
  const result = await a.request('attachment.upload', { size, recipients: recipients.map((device) => device.deviceId) });
  if (!result.ok) throw new Error(result.error.code);
  return result;
}

function put(url: string, token: string | undefined, body: Buffer) {
  return fetch(relay.url + url, { method: 'PUT', headers: token ? { authorization: `Bearer ${token}` } : {}, body: new Uint8Array(body) });
}

async function download(connection: Connection, id: string): Promise<Response> {
  const grant = await connection.request('attachment.download', { id });
  if (!grant.ok) throw new Error(grant.error.code);
  return fetch(relay.url + grant.url, { headers: { authorization: `Bearer ${grant.token}` } });
}

const blobFile = (id: string) => path.join(relay.dataDir, 'attachments', id.slice(0, 2), id);

describe('attachments', () => {
  it('uploads and downloads a blob under an unguessable id, and deletes it once every recipient has it', async () => {
    const blob = randomBytes(300_000);
    const upload = await slot(blob.length, [bob, carol]);
    expect(upload.id).toMatch(/^[0-9a-f]{32}$/);
    const stored = await put(upload.url, upload.token, blob);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toEqual({ id: upload.id, size: blob.length });
    // The token was single-use.
    expect((await put(upload.url, upload.token, blob)).status).toBe(401);

    const first = await download(b, upload.id);
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(blob)).toBe(true);
    expect(fs.existsSync(blobFile(upload.id))).toBe(true); // carol has not fetched it yet

    const second = await download(c, upload.id);
    expect(Buffer.from(await second.arrayBuffer()).equals(blob)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.existsSync(blobFile(upload.id))).toBe(false);
    expect(await b.request('attachment.download', { id: upload.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses requests without a valid token, and devices that are not recipients', async () => {
    const blob = randomBytes(1000);
    const upload = await slot(blob.length, [bob]);
    expect((await put(upload.url, undefined, blob)).status).toBe(401);
    expect((await put(upload.url, 'x'.repeat(43), blob)).status).toBe(401);
    const other = await slot(10, [bob]);
    expect((await put(upload.url, other.token, blob)).status).toBe(401); // a token for another id
    const fresh = await slot(blob.length, [bob]);
    expect((await put(fresh.url, fresh.token, blob)).status).toBe(201);
    expect((await fetch(relay.url + fresh.url)).status).toBe(401);
    expect(await d.request('attachment.download', { id: fresh.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // A download token cannot be used twice.
    const grant = await b.request('attachment.download', { id: fresh.id });
    if (!grant.ok) throw new Error(grant.error.code);
    const once = await fetch(relay.url + grant.url, { headers: { authorization: `Bearer ${grant.token}` } });
    expect(once.status).toBe(200);
    await once.arrayBuffer();
    expect((await fetch(relay.url + grant.url, { headers: { authorization: `Bearer ${grant.token}` } })).status).toBe(401);
  });

  it('enforces the size limit: at the socket, on Content-Length, and while streaming', async () => {
    expect(await a.request('attachment.upload', { size: 2 * 1024 * 1024 + 1, recipients: [bob.deviceId] })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });

    const declared = await slot(1000, [bob]);
    const tooLong = await put(declared.url, declared.token, randomBytes(1001));
    expect(tooLong.status).toBe(413);

    // Chunked upload with no Content-Length that runs past the declared size.
    const streamed = await slot(64 * 1024, [bob]);
    const status = await new Promise<number | 'reset'>((resolve) => {
      const request = http.request(relay.url + streamed.url, { method: 'PUT', headers: { authorization: `Bearer ${streamed.token}` } });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('error', () => resolve('reset'));
      const chunk = randomBytes(16 * 1024);
      let sent = 0;
      const write = () => {
        while (sent < 40) {
          sent += 1;
          if (!request.write(chunk)) return void request.once('drain', write);
        }
        request.end();
      };
      write();
    });
    expect([413, 'reset']).toContain(status);
    expect(fs.existsSync(blobFile(streamed.id))).toBe(false);
    expect(fs.existsSync(`${blobFile(streamed.id)}.part`)).toBe(false);
    expect(await b.request('attachment.download', { id: streamed.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // A short upload is not published either.
    const short = await slot(1000, [bob]);
    expect((await put(short.url, short.token, randomBytes(999))).status).toBe(400);
    expect(await b.request('attachment.download', { id: short.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses recipients that are not active devices', async () => {
    expect(await a.request('attachment.upload', { size: 10, recipients: ['00000000-0000-4000-8000-000000000000'] })).toMatchObject({
      ok: false,
      error: { code: 'unknown_device' },
    });
  });
});

describe('attachment retention', () => {
  it('deletes a blob nobody fetched once its retention has passed', async () => {
    const short = await startRelay({ args: ['--attachment-retention-days', String(1 / 86_400)] }); // one second
    const code = async (name: string) => (await addUser(short.dataDir, name, name)).code;
    const sender = await enrolledDevice(short.url, await code('sender'));
    const receiver = await enrolledDevice(short.url, await code('receiver'));
    const s = await sender.online();
    const grant = await s.request('attachment.upload', { size: 100, recipients: [receiver.deviceId] });
    if (!grant.ok) throw new Error(grant.error.code);
    const uploaded = await fetch(short.url + grant.url, { method: 'PUT', headers: { authorization: `Bearer ${grant.token}` }, body: new Uint8Array(randomBytes(100)) });
    expect(uploaded.status).toBe(201);
    s.close();
    const file = path.join(short.dataDir, 'attachments', grant.id.slice(0, 2), grant.id);
    expect(fs.existsSync(file)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const r = await receiver.online();
    expect(await r.request('attachment.download', { id: grant.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    r.close();
    // The sweep (at start-up, then every minute) removes the file itself, just after start-up:
    // its writes wait for their turn beside the envelope writer.
    await short.kill();
    const restarted = await startRelay({ dataDir: short.dataDir });
    await expect.poll(() => fs.existsSync(file), { timeout: 5000 }).toBe(false);
    await restarted.kill();
  });
});
