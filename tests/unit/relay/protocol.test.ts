import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  authChallengeMessage,
  base64,
  base64ByteLength,
  decodeBase64,
  encodeBase64,
  EnvelopeSendRequest,
  normaliseEnrolmentCode,
  relayOrigin,
} from '../../../protocol/relay';

describe('relay protocol encoding', () => {
  it('encodes and decodes base64 like Node, and measures decoded length without decoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
        expect(base64ByteLength(text)).toBe(bytes.length);
      }),
    );
  });

  it('bounds base64 fields by decoded byte length and rejects non-base64', () => {
    const key = base64(32, 32);
    expect(key.safeParse(Buffer.alloc(32).toString('base64')).success).toBe(true);
    expect(key.safeParse(Buffer.alloc(31).toString('base64')).success).toBe(false);
    expect(key.safeParse(Buffer.alloc(33).toString('base64')).success).toBe(false);
    expect(key.safeParse('A'.repeat(43)).success).toBe(false); // missing padding
    expect(key.safeParse(`${'A'.repeat(42)}-=`).success).toBe(false); // base64url alphabet
  });

  it('rejects unknown fields in requests', () => {
    const to = '00000000-0000-4000-8000-000000000000';
    expect(EnvelopeSendRequest.safeParse({ envelopes: [{ to, senderMessageId: 'm', payload: 'AAAA' }] }).success).toBe(true);
    expect(EnvelopeSendRequest.safeParse({ envelopes: [{ to, senderMessageId: 'm', payload: 'AAAA' }], extra: true }).success).toBe(false);
  });

  it('binds origin, device and nonce unambiguously in the auth message', () => {
    const nonce = new Uint8Array(32).fill(9);
    const base = authChallengeMessage('https://relay.example', 'device-1', nonce);
    expect(authChallengeMessage('https://relay.example', 'device-1', nonce)).toEqual(base);
    expect(authChallengeMessage('https://relay.exampl', 'edevice-1', nonce)).not.toEqual(base);
    expect(authChallengeMessage('https://other.example', 'device-1', nonce)).not.toEqual(base);
    expect(() => authChallengeMessage('https://relay.example', 'device-1', new Uint8Array(31))).toThrow('32-byte nonce');
    expect(relayOrigin('https://Relay.Example:443/socket')).toBe('https://relay.example');
    expect(normaliseEnrolmentCode('abcd-efgh ijkm')).toBe('ABCDEFGHIJKM');
  });
});
