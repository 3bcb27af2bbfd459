import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { io } from 'socket.io-client';
import { authChallengeMessage, enrolmentProofMessage } from '../../../protocol/relay';
import { ed25519 } from '@noble/curves/ed25519.js';
import { b64, enrolledDevice, TestDevice } from './support/device';
import { addUser, cli, runEntry, startRelay, tempDataDir, type RelayProcess } from './support/relay-process';

describe('relay process and CLI', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelay();
  });
  afterAll(async () => {
    await relay.kill();
  });

  it('answers the health endpoint and keeps its data folder private', async () => {
    const response = await fetch(`${relay.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', connections: 0 });
    expect((await fetch(`${relay.url}/nothing-here`)).status).toBe(404);
    const mode = (file: string) => fs.statSync(path.join(relay.dataDir, file)).mode & 0o777;
    expect(mode('directory-key.json')).toBe(0o600);
    expect(mode('relay.db')).toBe(0o600);
    expect(relay.output()).toContain('production needs --tls-cert and --tls-key');
  });

  it('lists, disables and re-enables users, and lists devices', async () => {
    const issued = await addUser(relay.dataDir, 'alice', 'Dr Alice');
    await enrolledDevice(relay.url, issued.code);
    const second = await cli<{ code: string; userId: string }>(relay.dataDir, 'user', 'code', 'alice');
    expect(second.userId).toBe(issued.userId);
    expect(second.code).not.toBe(issued.code);
    type Listed = { username: string; status: string; activeDevices: number };
    expect(await cli<Listed[]>(relay.dataDir, 'user', 'list')).toEqual([expect.objectContaining({ username: 'alice', status: 'active', activeDevices: 1 })]);
    await cli(relay.dataDir, 'user', 'disable', 'alice');
    expect(await cli<Listed[]>(relay.dataDir, 'user', 'list')).toEqual([expect.objectContaining({ status: 'disabled' })]);
    // A code issued before disabling no longer enrols, even after re-enabling.
    await cli(relay.dataDir, 'user', 'enable', 'alice');
    const late = await fetch(`${relay.url}/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(new TestDevice(relay.url).enrolRequest(second.code)),
    });
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('enrolment_code_expired');

    const duplicate = await runEntry(['user', 'add', 'alice', '--name', 'Again', '--data', relay.dataDir]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('already exists');
    const unknown = await runEntry(['frobnicate', '--data', relay.dataDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage');
  });

  it('refuses to serve plain HTTP beyond loopback, and rejects bad flags', async () => {
    const open = await runEntry(['--host', '0.0.0.0', '--port', '0', '--data', tempDataDir()]);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('--tls-cert');
    const badPort = await runEntry(['--port', 'eighty', '--data', tempDataDir()]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
  });
});

const openssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!openssl)('TLS', () => {
  it('serves HTTPS and authenticates sockets over wss with the https origin', async () => {
    const dir = tempDataDir();
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const ca = fs.readFileSync(cert, 'utf8');
    const relay = await startRelay({ dataDir: path.join(dir, 'data'), args: ['--tls-cert', cert, '--tls-key', key] });
    try {
      const url = `https://127.0.0.1:${relay.port}`;
      const health = await new Promise<number>((resolve, reject) => {
        https.get(`${url}/health`, { ca }, (response) => resolve(response.statusCode ?? 0)).on('error', reject);
      });
      expect(health).toBe(200);
      expect(relay.output()).not.toContain('production needs');

      const { code } = await addUser(relay.dataDir, 'tls', 'TLS User');
      const keys = ed25519.keygen();
      const enrolled = await new Promise<{ deviceId: string }>((resolve, reject) => {
        const body = JSON.stringify({
          code,
          identityKey: b64(keys.publicKey),
          proof: b64(ed25519.sign(enrolmentProofMessage(code, keys.publicKey), keys.secretKey)),
          signedPrekey: { id: 1, publicKey: b64(new Uint8Array(32)), signature: b64(new Uint8Array(64)) },
          pqLastResortPrekey: { id: 1, publicKey: b64(new Uint8Array(32)), signature: b64(new Uint8Array(64)) },
        });
        const request = https.request(`${url}/v1/enrol`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(JSON.parse(text) as { deviceId: string }));
        });
        request.on('error', reject);
        request.end(body);
      });
      const socket = io(url, { transports: ['websocket'], reconnection: false, ca });
      const challenge = await new Promise<{ nonce: string; origin: string }>((resolve) => socket.once('auth.challenge', resolve));
      expect(challenge.origin).toBe(url);
      const signature = b64(ed25519.sign(authChallengeMessage(url, enrolled.deviceId, Buffer.from(challenge.nonce, 'base64')), keys.secretKey));
      const result = (await socket.emitWithAck('auth.prove', { deviceId: enrolled.deviceId, signature })) as { ok: boolean };
      expect(result.ok).toBe(true);
      socket.close();
    } finally {
      await relay.kill();
    }
  });
});
