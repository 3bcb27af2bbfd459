import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  CertificateError,
  encodeCertificateBody,
  parseDeviceCertificate,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from '../../../protocol/certificate';

const directory = ed25519.keygen(new Uint8Array(32).fill(7));
const fieldsArb = fc.record({
  userId: fc.string({ minLength: 1, maxLength: 60 }),
  deviceId: fc.string({ minLength: 1, maxLength: 60 }),
  identityKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  issuedAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});

describe('device certificates', () => {
  it('round-trips any fields and verifies under the directory key only', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const certificate = signDeviceCertificate(fields, directory.secretKey);
        expect(verifyDeviceCertificate(certificate, directory.publicKey, fields)).toEqual(fields);
        expect(() => verifyDeviceCertificate(certificate, ed25519.keygen().publicKey)).toThrow(CertificateError);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects any single flipped bit', () => {
    const certificate = signDeviceCertificate(
      { userId: 'u1', deviceId: 'd1', identityKey: new Uint8Array(32).fill(1), issuedAt: 1_700_000_000_000 },
      directory.secretKey,
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: certificate.length * 8 - 1 }), (bit) => {
        const tampered = certificate.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(() => verifyDeviceCertificate(tampered, directory.publicKey)).toThrow(CertificateError);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects certificates naming another user, device or identity key', () => {
    const fields = { userId: 'u1', deviceId: 'd1', identityKey: new Uint8Array(32).fill(1), issuedAt: 5 };
    const certificate = signDeviceCertificate(fields, directory.secretKey);
    expect(() => verifyDeviceCertificate(certificate, directory.publicKey, { userId: 'u2' })).toThrow('another user');
    expect(() => verifyDeviceCertificate(certificate, directory.publicKey, { deviceId: 'd2' })).toThrow('another device');
    expect(() => verifyDeviceCertificate(certificate, directory.publicKey, { identityKey: new Uint8Array(32) })).toThrow('another identity key');
  });

  it('never throws anything but CertificateError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseDeviceCertificate(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CertificateError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects trailing bytes and bad lengths when encoding or parsing', () => {
    const fields = { userId: 'u', deviceId: 'd', identityKey: new Uint8Array(32), issuedAt: 0 };
    const body = encodeCertificateBody(fields);
    const signature = ed25519.sign(body, directory.secretKey);
    const padded = new Uint8Array([...body, 0, ...signature]);
    expect(() => parseDeviceCertificate(padded)).toThrow(CertificateError);
    expect(() => encodeCertificateBody({ ...fields, identityKey: new Uint8Array(31) })).toThrow('32-byte identity key');
    expect(() => encodeCertificateBody({ ...fields, userId: '' })).toThrow(CertificateError);
  });
});
