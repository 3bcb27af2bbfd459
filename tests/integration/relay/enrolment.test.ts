import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CertificateError, verifyDeviceCertificate } from '../../../protocol/certificate';
import { enrolmentProofMessage, type EnrolResponse } from '../../../protocol/relay';
import { b64, postEnrol, TestDevice } from './support/device';
import { addUser, cli, startRelay, type RelayProcess } from './support/relay-process';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay.kill();
});

async function directoryKey(): Promise<Uint8Array> {
  const body = (await (await fetch(`${relay.url}/v1/directory-key`)).json()) as { publicKey: string };
  return Buffer.from(body.publicKey, 'base64');
}

describe('enrolment', () => {
  it('enrols a device with a CLI code and certifies it under the pinned directory key', async () => {
    const issued = await addUser(relay.dataDir, 'alice', 'Dr Alice');
    expect(issued.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(Date.parse(issued.expiresAt)).toBeGreaterThan(Date.now() + 71 * 3600_000);

    const device = new TestDevice(relay.url);
    // Codes are typed by people: lower case and no dashes still work.
    const enrolled = await device.enrol(issued.code.toLowerCase().replace(/-/g, ''));
    expect(enrolled).toMatchObject({ userId: issued.userId, username: 'alice', displayName: 'Dr Alice' });

    const pinned = await directoryKey();
    const cliKey = await cli<{ publicKey: string }>(relay.dataDir, 'directory-key');
    expect(cliKey.publicKey).toBe(b64(pinned));
    expect(enrolled.directoryKey).toBe(b64(pinned));
    const fields = verifyDeviceCertificate(Buffer.from(enrolled.certificate, 'base64'), pinned, {
      userId: issued.userId,
      deviceId: enrolled.deviceId,
      identityKey: device.identityKey,
    });
    expect(fields.issuedAt).toBeLessThanOrEqual(Date.now());
    // A certificate does not verify under any other key: clients reject such devices.
    expect(() => verifyDeviceCertificate(Buffer.from(enrolled.certificate, 'base64'), ed25519.keygen().publicKey)).toThrow(CertificateError);

    const devices = await cli<{ deviceId: string; status: string }[]>(relay.dataDir, 'device', 'list', 'alice');
    expect(devices).toEqual([expect.objectContaining({ deviceId: enrolled.deviceId, status: 'active' })]);
  });

  it('refuses a reused code and leaves the first device the only one', async () => {
    const issued = await addUser(relay.dataDir, 'bob', 'Dr Bob');
    const first = new TestDevice(relay.url);
    await first.enrol(issued.code);
    const second = new TestDevice(relay.url);
    const reused = await postEnrol(relay.url, second.enrolRequest(issued.code));
    expect(reused.status).toBe(403);
    expect(reused.body).toMatchObject({ error: { code: 'enrolment_code_used' } });
    const devices = await cli<unknown[]>(relay.dataDir, 'device', 'list', 'bob');
    expect(devices).toHaveLength(1);
  });

  it('refuses an expired code', async () => {
    const issued = await addUser(relay.dataDir, 'carol', 'Nurse Carol', '--code-ttl', '1s');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const response = await postEnrol(relay.url, new TestDevice(relay.url).enrolRequest(issued.code));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'enrolment_code_expired' } });
  });

  it('refuses an unknown code, a proof by another key, and a malformed body', async () => {
    const device = new TestDevice(relay.url);
    const unknown = await postEnrol(relay.url, device.enrolRequest('AAAA-BBBB-CCCC-DDDD-EEEE'));
    expect(unknown.body).toMatchObject({ error: { code: 'enrolment_code_invalid' } });

    const issued = await addUser(relay.dataDir, 'dave', 'Dr Dave');
    // Registering someone else's identity key: the proof is signed by a different key.
    const victim = new TestDevice(relay.url);
    const forged = { ...device.enrolRequest(issued.code), identityKey: b64(victim.identityKey) };
    const refused = await postEnrol(relay.url, forged);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'auth_failed' } });

    const malformed = await postEnrol(relay.url, { ...device.enrolRequest(issued.code), identityKey: 'not base64!' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'invalid_payload', message: expect.stringContaining('identityKey') } });

    // None of the refusals spent the code.
    const enrolled: EnrolResponse = await device.enrol(issued.code);
    expect(enrolled.username).toBe('dave');
  });

  it('refuses an identity key that is already enrolled', async () => {
    const device = new TestDevice(relay.url);
    await device.enrol((await addUser(relay.dataDir, 'erin', 'Dr Erin')).code);
    const again = (await addUser(relay.dataDir, 'frank', 'Dr Frank')).code;
    const request = device.enrolRequest(again);
    request.proof = b64(ed25519.sign(enrolmentProofMessage(again, device.identityKey), device.secretKey));
    const response = await postEnrol(relay.url, request);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: { code: 'identity_key_in_use' } });
  });
});
