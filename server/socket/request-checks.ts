/**
 * Hand-written checks for the two requests every envelope passes through: envelope.send (once per
 * send) and envelope.ack (once per delivery). The zod schemas copy every object and run a regex
 * over each payload, which at thousands of envelopes a second was a visible share of the main
 * thread's time. A check here only ever says "valid, use it as is"; whatever it does not accept
 * is parsed by the schema in protocol/relay.ts, which decides and words the refusal, so a refused
 * request reads exactly as before. Hence each check must accept nothing that schema refuses: it
 * mirrors the schema's bounds, and is stricter wherever that is simpler (plain objects only,
 * canonical base64 only).
 */
import { MAX_ACK_IDS, MAX_BATCH_ENVELOPES, type RelayRequestName } from '../../protocol/relay';

// Mirrors protocol/relay.ts: DeviceId's pattern, SenderMessageId's length, OutgoingEnvelope's payload bounds.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_SENDER_MESSAGE_ID = 128;
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

export const requestChecks: { [N in RelayRequestName]?: (input: unknown) => boolean } = {
  'envelope.send': isEnvelopeSend,
  'envelope.ack': isEnvelopeAck,
};

function isEnvelopeSend(input: unknown): boolean {
  if (!isPlain(input) || !hasOnly(input, SEND_KEYS)) return false;
  const { envelopes } = input;
  if (!Array.isArray(envelopes) || envelopes.length < 1 || envelopes.length > MAX_BATCH_ENVELOPES) return false;
  for (const envelope of envelopes as unknown[]) {
    if (!isPlain(envelope) || !hasOnly(envelope, ENVELOPE_KEYS)) return false;
    const { to, senderMessageId, payload } = envelope;
    if (typeof to !== 'string' || !UUID.test(to)) return false;
    if (typeof senderMessageId !== 'string' || senderMessageId.length < 1 || senderMessageId.length > MAX_SENDER_MESSAGE_ID) return false;
    if (typeof payload !== 'string' || !isPayload(payload)) return false;
  }
  return true;
}

function isEnvelopeAck(input: unknown): boolean {
  if (!isPlain(input) || !hasOnly(input, ACK_KEYS)) return false;
  const { ids } = input;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_ACK_IDS) return false;
  for (const id of ids as unknown[]) {
    // zod's int() also bounds to safe integers.
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return false;
  }
  return true;
}

const SEND_KEYS = ['envelopes'];
const ENVELOPE_KEYS = ['to', 'senderMessageId', 'payload'];
const ACK_KEYS = ['ids'];

/**
 * 1..MAX_PAYLOAD_BYTES bytes of padded base64. Decoding and re-encoding is several times faster
 * than the schema's regex (both run natively), and equality holds only for canonical base64,
 * which is a subset of what the regex accepts.
 */
function isPayload(text: string): boolean {
  const { length } = text;
  if (length === 0 || length % 4 !== 0 || length > Math.ceil(MAX_PAYLOAD_BYTES / 3) * 4) return false;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length <= MAX_PAYLOAD_BYTES && bytes.length >= 1 && bytes.toString('base64') === text;
}

/** What JSON.parse makes of an object: anything else (arrays, Buffers from binary packets) goes to the schema. */
function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Exactly these own keys and no others (the schemas are strict). */
function hasOnly(value: Record<string, unknown>, keys: string[]): boolean {
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !keys.includes(key)) return false;
    count += 1;
  }
  return count === keys.length;
}
