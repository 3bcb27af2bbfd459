import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectoryPublicKey, RelayUrl } from '../../../main/core/policy/validators';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The last of 43 base64 characters carries 4 bits of the key and 2 unused ones: set the lowest unused bit. */
const flipUnusedBit = (c: string) => ALPHABET[ALPHABET.indexOf(c) ^ 1] ?? '';

const ok = (schema: typeof RelayUrl, value: string) => schema.safeParse(value);

describe('relay address', () => {
  it.each([
    ['https://relay.hospital.example', 'https://relay.hospital.example/'],
    ['wss://relay.hospital.example:8443/socket', 'wss://relay.hospital.example:8443/socket'],
    ['  https://RELAY.hospital.example:443  ', 'https://relay.hospital.example/'],
    ['http://127.0.0.1:8443', 'http://127.0.0.1:8443/'],
    ['http://localhost:8443', 'http://localhost:8443/'],
    ['ws://[::1]:8443', 'ws://[::1]:8443/'],
  ])('accepts %s', (input, normalised) => {
    expect(ok(RelayUrl, input)).toEqual({ success: true, data: normalised });
  });

  it.each([
    ['plain http to another host', 'http://relay.hospital.example'],
    ['plain http to a look-alike of localhost', 'http://localhost.hospital.example'],
    ['another scheme', 'ftp://relay.hospital.example'],
    ['credentials', 'https://user:secret@relay.hospital.example'],
    ['a query', 'https://relay.hospital.example/?token=1'],
    ['a fragment', 'https://relay.hospital.example/#x'],
    ['no scheme', 'relay.hospital.example'],
    ['nothing', ''],
  ])('rejects %s', (_label, input) => {
    expect(ok(RelayUrl, input).success).toBe(false);
  });
});

describe('directory public key', () => {
  const key = ed25519.getPublicKey(new Uint8Array(32).fill(7));
  const base64 = Buffer.from(key).toString('base64');
  const hex = Buffer.from(key).toString('hex');

  it('accepts hex (either case) and base64 (standard or URL-safe, padded or not), all as one canonical base64', () => {
    const urlSafe = base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    for (const spelling of [hex, hex.toUpperCase(), base64, base64.replace(/=+$/, ''), urlSafe, ` ${base64}\n`]) {
      expect(ok(DirectoryPublicKey, spelling), spelling).toEqual({ success: true, data: base64 });
    }
  });

  it('normalises any real Ed25519 public key, whichever way it is written', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (secret, asHex) => {
        const pub = Buffer.from(ed25519.getPublicKey(secret));
        const written = asHex ? pub.toString('hex') : pub.toString('base64');
        expect(ok(DirectoryPublicKey, written)).toEqual({ success: true, data: pub.toString('base64') });
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['31 bytes', Buffer.from(key).subarray(0, 31).toString('hex')],
    ['33 bytes', Buffer.concat([key, Buffer.from([0])]).toString('base64')],
    ['a small-order point (the identity), which verifies forged signatures', '01' + '00'.repeat(31)],
    ['a non-canonical y coordinate (y >= p)', 'ff'.repeat(31) + '7f'],
    ['base64 with a stray unused bit in its last character', base64.slice(0, 42) + flipUnusedBit(base64[42] ?? '') + '='],
    ['text that is neither hex nor base64', 'z'.repeat(64)],
  ])('rejects %s', (_label, input) => {
    expect(ok(DirectoryPublicKey, input).success).toBe(false);
  });
});
