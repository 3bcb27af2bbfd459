/**
 * A sealed outbox entry keeps the exact envelope it will send: its relay-level id and the
 * ciphertext. Resending after a crash or a lost ack sends the same bytes under the same id, so the
 * relay's dedupe drops the copy and the recipient's ratchet sees no gap.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function packSealed(envelopeId: string, ciphertext: Uint8Array): Uint8Array {
  const id = encoder.encode(envelopeId);
  if (id.length > 255) throw new Error('envelope id too long');
  const out = new Uint8Array(1 + id.length + ciphertext.length);
  out[0] = id.length;
  out.set(id, 1);
  out.set(ciphertext, 1 + id.length);
  return out;
}

export function unpackSealed(payload: Uint8Array): { envelopeId: string; ciphertext: Uint8Array } {
  const n = payload[0] ?? 0;
  if (payload.length < 1 + n + 1) throw new Error('sealed outbox payload is truncated');
  return { envelopeId: decoder.decode(payload.subarray(1, 1 + n)), ciphertext: payload.subarray(1 + n) };
}
