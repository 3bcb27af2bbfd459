import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * A wipe order: the relay's word, signed with the organisation's directory key, that one device
 * (or every device of a user) has been revoked and its profile must be crypto-erased. Clients
 * pin the directory public key, so only the organisation's relay can issue one; an order that
 * does not verify for this very device is ignored. No node:* imports (protocol/ is shared).
 */
export const WIPE_ORDER_VERSION = 1;
export const WIPE_ORDER_CONTEXT = 'wardline-wipe-order-v1';
const SIGNATURE_BYTES = 64;

export interface WipeOrderFields {
  userId: string;
  deviceId: string;
  reason: 'revoked' | 'user_disabled';
  issuedAt: number;
}

export class WipeOrderError extends Error {
  override name = 'WipeOrderError';
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function encodeWipeOrderBody(f: WipeOrderFields): Uint8Array {
  const parts = [WIPE_ORDER_CONTEXT, f.userId, f.deviceId, f.reason].map((s) => enc.encode(s));
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + 2 + p.length, 0) + 8);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = WIPE_ORDER_VERSION;
  for (const p of parts) {
    if (p.length > 0xffff) throw new WipeOrderError('field too long');
    view.setUint16(at, p.length);
    out.set(p, at + 2);
    at += 2 + p.length;
  }
  view.setBigUint64(at, BigInt(f.issuedAt));
  return out;
}

export function signWipeOrder(f: WipeOrderFields, directorySecretKey: Uint8Array): Uint8Array {
  const body = encodeWipeOrderBody(f);
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body, 0);
  out.set(ed25519.sign(body, directorySecretKey), body.length);
  return out;
}

/** Verifies under the pinned directory key and that the order names exactly this device and user. */
export function verifyWipeOrder(order: Uint8Array, directoryPublicKey: Uint8Array, expected: { userId: string; deviceId: string }): WipeOrderFields {
  if (order.length < 1 + SIGNATURE_BYTES) throw new WipeOrderError('wipe order too short');
  const body = order.subarray(0, order.length - SIGNATURE_BYTES);
  const signature = order.subarray(order.length - SIGNATURE_BYTES);
  let valid = false;
  try {
    valid = ed25519.verify(signature, body, directoryPublicKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) throw new WipeOrderError('wipe order signature does not verify under the directory key');
  const fields = parseBody(body);
  if (fields.userId !== expected.userId || fields.deviceId !== expected.deviceId) throw new WipeOrderError('wipe order names another device');
  return fields;
}

function parseBody(body: Uint8Array): WipeOrderFields {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body[0] !== WIPE_ORDER_VERSION) throw new WipeOrderError('unsupported wipe order version');
  let at = 1;
  const text = (): string => {
    if (at + 2 > body.length) throw new WipeOrderError('wipe order truncated');
    const n = view.getUint16(at);
    if (at + 2 + n > body.length) throw new WipeOrderError('wipe order truncated');
    const s = dec.decode(body.subarray(at + 2, at + 2 + n));
    at += 2 + n;
    return s;
  };
  let context: string;
  let userId: string;
  let deviceId: string;
  let reason: string;
  try {
    [context, userId, deviceId, reason] = [text(), text(), text(), text()];
  } catch (err) {
    throw err instanceof WipeOrderError ? err : new WipeOrderError('wipe order is not valid text');
  }
  if (context !== WIPE_ORDER_CONTEXT) throw new WipeOrderError('not a wipe order');
  if (reason !== 'revoked' && reason !== 'user_disabled') throw new WipeOrderError('unknown wipe reason');
  if (at + 8 !== body.length) throw new WipeOrderError('wipe order has trailing bytes');
  const issuedAt = Number(view.getBigUint64(at));
  return { userId, deviceId, reason, issuedAt };
}
