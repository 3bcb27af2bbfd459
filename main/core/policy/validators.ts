/**
 * The two settings whose validity is more than a range: the relay address and the pinned directory
 * key. Both normalise what they accept, so the rest of the app compares one canonical form.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * https:// or wss:// (TLS to the relay); plain http:// or ws:// only on this machine, for a relay
 * started beside the app in a test or demo. No user name or password in the URL: it would be logged
 * and shown in the settings screen. Output is the parsed URL's canonical href.
 */
export const RelayUrl = z.string().transform((raw, ctx) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL' });
    return z.NEVER;
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const plain = url.protocol === 'http:' || url.protocol === 'ws:';
  if (!secure && !(plain && LOOPBACK_HOSTS.has(url.hostname))) {
    ctx.addIssue({ code: 'custom', message: 'must be https:// or wss:// (http:// only for 127.0.0.1 or localhost)' });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
    return z.NEVER;
  }
  if (url.hash !== '' || url.search !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
    return z.NEVER;
  }
  return url.href;
});

const HEX_32 = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one '=' of padding; standard or URL-safe alphabet.
const BASE64_32 = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}=?$/;

/**
 * An Ed25519 public key as 64 hex digits or base64 (standard or URL-safe, padding optional),
 * normalised to standard padded base64: the form protocol/relay.ts puts on the wire. The bytes must
 * be the canonical encoding of a curve point outside the small-order subgroup: a small-order key
 * verifies signatures an attacker can forge without any secret, which would let anyone vouch for
 * devices; a typo that still has the right length almost always fails this check instead of
 * pinning a key nobody holds.
 */
export const DirectoryPublicKey = z.string().transform((raw, ctx) => {
  const bytes = decodeKey(raw.trim());
  if (!bytes) {
    ctx.addIssue({ code: 'custom', message: 'must be a 32-byte key as 64 hex digits or 43/44 base64 characters' });
    return z.NEVER;
  }
  if (!isUsableEd25519Key(bytes)) {
    ctx.addIssue({ code: 'custom', message: 'is not a valid Ed25519 public key' });
    return z.NEVER;
  }
  return Buffer.from(bytes).toString('base64');
});

function decodeKey(text: string): Uint8Array | null {
  if (HEX_32.test(text)) return Uint8Array.from(Buffer.from(text, 'hex'));
  if (!BASE64_32.test(text)) return null;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  // Buffer's decoder ignores the unused low bits of the last character; a non-canonical string
  // would be a second spelling of the same key, so only the canonical one is accepted.
  if (bytes.length !== 32 || bytes.toString('base64').slice(0, 43) !== text.replace(/-/g, '+').replace(/_/g, '/').slice(0, 43)) {
    return null;
  }
  return Uint8Array.from(bytes);
}

function isUsableEd25519Key(bytes: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(bytes).isSmallOrder();
  } catch {
    return false;
  }
}
