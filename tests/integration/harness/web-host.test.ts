import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost } from '../../harness/host';
import type { WebHost } from '../../harness/host';

/** The web host over a real socket on 127.0.0.1: the same gate as IPC, plus its token and origin check. */
let host: WebHost;

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'wardline-host-'));
  const rendererDir = join(base, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  writeFileSync(join(base, 'bridge.js'), '/* bridge */');
  const dataDir = join(base, 'data');
  mkdirSync(join(dataDir, 'profiles', 'profile-carol-01'), { recursive: true });
  writeFileSync(join(dataDir, 'profiles', 'profile-carol-01', 'profile.json'), JSON.stringify({ displayName: 'Dr Carol Reyes', userId: 'creyes', lastUsedAt: 1 }));
  host = await startWebHost({ dataDir, rendererDir, bridgeScript: join(base, 'bridge.js') });
});

afterAll(() => host.close());

function connect(options: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/__harness/ws?token=${options.token ?? host.token}`, {
    headers: { origin: options.origin ?? host.origin },
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, frame: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('web host', () => {
  it('refuses a socket without the run token', async () => {
    await expect(connect({ token: 'guess' })).rejects.toThrow(/HTTP 403/);
  });

  it('refuses a socket from another origin, even with the token', async () => {
    await expect(connect({ origin: 'http://127.0.0.1:1' })).rejects.toThrow(/HTTP 403/);
    await expect(connect({ origin: 'null' })).rejects.toThrow(/HTTP 403/);
  });

  it('answers contract methods through the same dispatch as IPC', async () => {
    const ws = await connect();
    const reply = await call(ws, { type: 'invoke', id: 1, method: 'profiles.list', input: {} });
    expect(reply).toMatchObject({ type: 'result', id: 1, result: { ok: true, value: [{ displayName: 'Dr Carol Reyes', userId: 'creyes' }] } });
    ws.close();
  });

  it('answers an unknown method and malformed input with typed errors', async () => {
    const ws = await connect();
    expect(await call(ws, { type: 'invoke', id: 2, method: 'sql.run', input: {} })).toMatchObject({ result: { ok: false, error: { code: 'unknown_method' } } });
    expect(await call(ws, { type: 'invoke', id: 3, method: 'profiles.list', input: { all: true } })).toMatchObject({
      result: { ok: false, error: { code: 'invalid_input' } },
    });
    expect(await call(ws, 'not json')).toMatchObject({ type: 'protocol-error' });
    ws.close();
  });

  it('forwards core events to the page', async () => {
    const ws = await connect();
    const next = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
    host.core!.events.emit('profiles.changed', []);
    expect(await next).toEqual({ type: 'event', event: 'profiles.changed', payload: [] });
    ws.close();
  });

  it('hands out the page only with the token, with the CSP header', async () => {
    const denied = await fetch(`${host.origin}/`);
    expect(denied.status).toBe(403);
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('wardline-harness-token');
    expect((await fetch(`${host.origin}/..%2f..%2fetc/passwd`)).status).toBe(404);
  });
});
