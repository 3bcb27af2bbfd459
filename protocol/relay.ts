/**
 * The relay's wire contract, shared by server/ and the client's net module: socket event names,
 * the zod schema of every payload in both directions, error codes, HTTP paths and the exact bytes
 * a device signs to authenticate or to enrol.
 *
 * Bytes travel as standard padded base64 strings inside JSON. Not raw binary: socket.io's parser
 * refuses packets with more than 10 binary attachments and closes the connection, which a batch of
 * envelopes or prekeys would exceed; base64 keeps every packet a single JSON frame.
 * No node:* imports: the renderer build includes protocol/.
 */
import { z } from 'zod';

export const RELAY_PROTOCOL_VERSION = 1;
/** Domain-separation strings: a signature made for one purpose is useless for any other. */
export const AUTH_CONTEXT = 'wardline-relay-auth-v1';
export const ENROL_CONTEXT = 'wardline-relay-enrol-v1';
export const NONCE_BYTES = 32;
export const DEFAULT_MAX_ENVELOPE_BYTES = 256 * 1024;
export const MAX_BATCH_ENVELOPES = 256;
export const MAX_PREKEYS_PER_UPLOAD = 200;
export const MAX_ACK_IDS = 1000;
/** Devices one group.send or group.commit may address: 500 members with about two devices each. */
export const MAX_GROUP_DEVICES = 1000;

export const HTTP_PATHS = {
  health: '/health',
  directoryKey: '/v1/directory-key',
  enrol: '/v1/enrol',
  attachmentPrefix: '/v1/attachments/',
} as const;

export const ErrorCode = z.enum([
  'unauthenticated', // event other than auth.prove before authentication
  'auth_failed', // bad signature, unknown device, consumed or expired challenge
  'already_authenticated',
  'device_revoked',
  'user_disabled',
  'invalid_payload', // schema violation; message says which field
  'unknown_event',
  'envelope_too_large',
  'payload_too_large',
  'rate_limited', // retryAfterMs says when to try again
  'queue_full', // recipient device's queue is at its cap
  'unknown_device', // recipient device does not exist, is revoked or its user disabled
  'unknown_user',
  'stale_epoch', // group.commit for an epoch other than the group's head; `epoch` says the head
  'not_found',
  'forbidden',
  'limit_exceeded',
  'identity_key_in_use',
  'enrolment_code_invalid',
  'enrolment_code_expired',
  'enrolment_code_used',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RelayError = z.object({
  code: ErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** With stale_epoch: the group's current head, the epoch the next commit must name. */
  epoch: z.number().int().nonnegative().optional(),
});
export type RelayError = z.infer<typeof RelayError>;

/** Every request is answered through the socket.io ack callback with this shape. */
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: RelayError };

// ---- bytes -------------------------------------------------------------------------------------

// Padded base64 = a multiple of 4 characters from the alphabet, with at most two '=' at the end.
// One character class plus a length check: linear, and about 1.5x faster than a grouped pattern
// on the 340 KB string of a full-size envelope (checked on every send).
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string): boolean => text.length % 4 === 0 && BASE64.test(text);

/** Decoded length of a well-formed padded base64 string, without decoding it. */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** A base64 string whose decoded length lies in [min, max]. Stays a string: the relay never needs to look inside. */
export function base64(min: number, max: number) {
  return z
    .string()
    .max(Math.ceil(max / 3) * 4)
    .refine(isBase64, 'expected padded base64')
    .refine((text) => {
      const length = base64ByteLength(text);
      return length >= min && length <= max;
    }, min === max ? `expected ${min} bytes` : `expected ${min}..${max} bytes`);
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function decodeBase64(text: string): Uint8Array {
  if (!isBase64(text)) throw new Error('expected padded base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// ---- identifiers -------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const UserId = z.string().regex(UUID, 'expected a user id');
export const DeviceId = z.string().regex(UUID, 'expected a device id');
export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'username: 1-64 of a-z 0-9 . _ -, starting with a letter or digit');
export const DisplayName = z.string().trim().min(1).max(128);
/** 128 random bits as 32 hex digits: unguessable, and safe as a file name. */
export const AttachmentId = z.string().regex(/^[0-9a-f]{32}$/, 'expected an attachment id');
/** Chosen by the sender; the relay stores each (sender device, recipient device, id) once. */
export const SenderMessageId = z.string().min(1).max(128);
const Timestamp = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();

// ---- keys --------------------------------------------------------------------------------------

export const IdentityKey = base64(32, 32);
export const Certificate = base64(64 + 1, 1024);
/** Opaque to the relay: signatures over prekeys are checked by clients. */
export const Prekey = z.object({ id: z.number().int().min(0).max(0xffffffff), publicKey: base64(1, 4096), signature: base64(1, 256) }).strict();
/** Classic one-time prekeys are unsigned in X3DH/PQXDH. */
export const OneTimePrekey = Prekey.extend({ signature: base64(1, 256).optional() }).strict();
export type Prekey = z.infer<typeof Prekey>;
export type OneTimePrekey = z.infer<typeof OneTimePrekey>;

export const PrekeyCounts = z.object({ oneTimePrekeys: Count, pqOneTimePrekeys: Count, lowThreshold: Count });
export type PrekeyCounts = z.infer<typeof PrekeyCounts>;

// ---- HTTP --------------------------------------------------------------------------------------

export const EnrolRequest = z
  .object({
    code: z.string().min(1).max(64),
    identityKey: IdentityKey,
    /** Ed25519 signature by the identity key over enrolmentProofMessage(code, identityKey). */
    proof: base64(64, 64),
    signedPrekey: Prekey,
    pqLastResortPrekey: Prekey,
    oneTimePrekeys: z.array(OneTimePrekey).max(MAX_PREKEYS_PER_UPLOAD).default([]),
    pqOneTimePrekeys: z.array(Prekey).max(MAX_PREKEYS_PER_UPLOAD).default([]),
  })
  .strict();
export type EnrolRequest = z.input<typeof EnrolRequest>;
export const EnrolResponse = z.object({
  userId: UserId,
  deviceId: DeviceId,
  username: Username,
  displayName: z.string(),
  certificate: Certificate,
  directoryKey: IdentityKey,
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;
export const DirectoryKeyResponse = z.object({ algorithm: z.literal('ed25519'), publicKey: IdentityKey });
export const AttachmentUploaded = z.object({ id: AttachmentId, size: Count });
export const HttpErrorBody = z.object({ error: RelayError });

// ---- socket requests (client -> relay, answered by ack) ----------------------------------------

const Empty = z.object({}).strict();

export const AuthProveRequest = z.object({ deviceId: DeviceId, signature: base64(64, 64) }).strict();
export const AuthProveResponse = z.object({ userId: UserId, deviceId: DeviceId, prekeys: PrekeyCounts });

export const DirectorySearchRequest = z
  .object({ query: z.string().trim().min(1).max(64), limit: z.number().int().min(1).max(50).default(20) })
  .strict();
export const DirectoryUser = z.object({ userId: UserId, username: Username, displayName: z.string() });
export const DirectorySearchResponse = z.object({ users: z.array(DirectoryUser) });

export const DirectoryDevicesRequest = z.object({ userId: UserId }).strict();
export const DirectoryDevice = z.object({ deviceId: DeviceId, identityKey: IdentityKey, certificate: Certificate });
export const DirectoryDevicesResponse = z.object({ userId: UserId, devices: z.array(DirectoryDevice) });

/** One user by id: the name to show for someone who wrote first, before any search found them. */
export const DirectoryUserRequest = z.object({ userId: UserId }).strict();
export const DirectoryUserResponse = z.object({ user: DirectoryUser.nullable() });

export const PrekeyBundleRequest = z.object({ deviceIds: z.array(DeviceId).min(1).max(64) }).strict();
export const PrekeyBundle = z.object({
  userId: UserId,
  deviceId: DeviceId,
  identityKey: IdentityKey,
  certificate: Certificate,
  signedPrekey: Prekey,
  /** null once the device's one-time prekeys are used up (X3DH allows it). */
  oneTimePrekey: OneTimePrekey.nullable(),
  /** A one-time PQ prekey, or the last-resort one when those are used up. */
  pqPrekey: Prekey,
  pqPrekeyIsLastResort: z.boolean(),
});
export const PrekeyBundleResponse = z.object({ bundles: z.array(PrekeyBundle), missing: z.array(DeviceId) });

export const PrekeyUploadRequest = z
  .object({
    signedPrekey: Prekey.optional(),
    pqLastResortPrekey: Prekey.optional(),
    oneTimePrekeys: z.array(OneTimePrekey).max(MAX_PREKEYS_PER_UPLOAD).optional(),
    pqOneTimePrekeys: z.array(Prekey).max(MAX_PREKEYS_PER_UPLOAD).optional(),
  })
  .strict();
export const PrekeyStatusResponse = z.object({ prekeys: PrekeyCounts });

export const OutgoingEnvelope = z.object({ to: DeviceId, senderMessageId: SenderMessageId, payload: base64(1, 16 * 1024 * 1024) }).strict();
export const EnvelopeSendRequest = z.object({ envelopes: z.array(OutgoingEnvelope).min(1).max(MAX_BATCH_ENVELOPES) }).strict();
export const EnvelopeSendResult = z.object({
  to: DeviceId,
  senderMessageId: SenderMessageId,
  /** stored: persisted now; duplicate: already stored (or delivered) earlier; rejected: see error. */
  status: z.enum(['stored', 'duplicate', 'rejected']),
  error: ErrorCode.optional(),
});
export const EnvelopeSendResponse = z.object({ results: z.array(EnvelopeSendResult) });

/** One sender-key group message for many devices: uploaded once, queued once per recipient device. */
export const GroupSendRequest = z
  .object({
    recipients: z
      .array(DeviceId)
      .min(1)
      .max(MAX_GROUP_DEVICES)
      .refine((ids) => new Set(ids).size === ids.length, 'recipients must not repeat'),
    senderMessageId: SenderMessageId,
    payload: OutgoingEnvelope.shape.payload,
  })
  .strict();

/**
 * A membership change: per-device envelopes the relay stores all together, and only if `epoch` is
 * the group's head (or the group has none yet). The relay orders commits per group; it never sees
 * the change itself.
 */
export const GroupCommitRequest = z
  .object({
    groupId: base64(32, 32),
    epoch: z.number().int().min(0).max(0xffffffff),
    envelopes: z.array(OutgoingEnvelope).min(1).max(MAX_GROUP_DEVICES),
  })
  .strict();
/** `epoch`: the group's head after this commit, the epoch the next commit must name. */
export const GroupCommitResponse = EnvelopeSendResponse.extend({ epoch: z.number().int().nonnegative() });

export const EnvelopeAckRequest = z.object({ ids: z.array(z.number().int().positive()).min(1).max(MAX_ACK_IDS) }).strict();
export const EnvelopeAckResponse = z.object({ acked: Count });

export const AttachmentUploadRequest = z
  .object({ size: z.number().int().positive(), recipients: z.array(DeviceId).min(1).max(1000) })
  .strict();
export const AttachmentUploadResponse = z.object({ id: AttachmentId, url: z.string(), token: z.string(), expiresAt: Timestamp });
export const AttachmentDownloadRequest = z.object({ id: AttachmentId }).strict();
export const AttachmentDownloadResponse = z.object({
  id: AttachmentId,
  url: z.string(),
  token: z.string(),
  size: Count,
  expiresAt: Timestamp,
});

export const relayRequests = {
  'auth.prove': { request: AuthProveRequest, response: AuthProveResponse },
  'directory.search': { request: DirectorySearchRequest, response: DirectorySearchResponse },
  'directory.devices': { request: DirectoryDevicesRequest, response: DirectoryDevicesResponse },
  'directory.user': { request: DirectoryUserRequest, response: DirectoryUserResponse },
  'prekeys.bundle': { request: PrekeyBundleRequest, response: PrekeyBundleResponse },
  'prekeys.upload': { request: PrekeyUploadRequest, response: PrekeyStatusResponse },
  'prekeys.status': { request: Empty, response: PrekeyStatusResponse },
  'envelope.send': { request: EnvelopeSendRequest, response: EnvelopeSendResponse },
  'envelope.ack': { request: EnvelopeAckRequest, response: EnvelopeAckResponse },
  'group.send': { request: GroupSendRequest, response: EnvelopeSendResponse },
  'group.commit': { request: GroupCommitRequest, response: GroupCommitResponse },
  'attachment.upload': { request: AttachmentUploadRequest, response: AttachmentUploadResponse },
  'attachment.download': { request: AttachmentDownloadRequest, response: AttachmentDownloadResponse },
} as const;
export type RelayRequestName = keyof typeof relayRequests;
export type RelayRequest<N extends RelayRequestName> = z.input<(typeof relayRequests)[N]['request']>;
export type RelayResponse<N extends RelayRequestName> = z.infer<(typeof relayRequests)[N]['response']>;

// ---- socket pushes (relay -> client, no ack) ---------------------------------------------------

export const AuthChallenge = z.object({
  nonce: base64(NONCE_BYTES, NONCE_BYTES),
  /** The relay's own origin, for diagnosis only: sign the origin you dialled, never this one. */
  origin: z.string(),
  expiresAt: Timestamp,
});
export const DeliveredEnvelope = z.object({
  id: z.number().int().positive(),
  senderUserId: UserId,
  senderDeviceId: DeviceId,
  senderMessageId: SenderMessageId,
  sentAt: Timestamp,
  payload: z.string(),
});
export const EnvelopeDeliver = z.object({ envelopes: z.array(DeliveredEnvelope) });
/** `wipe`: a wipe order signed by the directory key (protocol/wipe.ts); the device verifies it and crypto-erases. */
export const DeviceRevoked = z.object({ deviceId: DeviceId, reason: z.enum(['revoked', 'user_disabled']), wipe: base64(1, 2048).optional() });
/** Another socket authenticated as this device; this one is closed (one live socket per device). */
export const SessionReplaced = Empty;
export const RelayErrorEvent = z.object({ event: z.string(), error: RelayError });

export const relayPushes = {
  'auth.challenge': AuthChallenge,
  'envelope.deliver': EnvelopeDeliver,
  'prekeys.low': PrekeyCounts,
  'device.revoked': DeviceRevoked,
  'session.replaced': SessionReplaced,
  'relay.error': RelayErrorEvent,
} as const;
export type RelayPushName = keyof typeof relayPushes;
export type RelayPush<N extends RelayPushName> = z.infer<(typeof relayPushes)[N]>;

// ---- signed messages ---------------------------------------------------------------------------

/** Canonical origin of a relay URL ("https://relay.example:443/x" -> "https://relay.example"). */
export function relayOrigin(url: string): string {
  return new URL(url).origin;
}

/**
 * What a device signs with its identity key to answer a challenge. Binding the relay origin stops
 * a hostile relay from forwarding our challenge answer to the real one; binding the device id
 * stops an answer for one device being replayed as another; the nonce is fresh per socket.
 */
export function authChallengeMessage(origin: string, deviceId: string, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new Error(`expected ${NONCE_BYTES}-byte nonce, got ${nonce.length}`);
  return concatFields([AUTH_CONTEXT, origin, deviceId, nonce]);
}

/** Enrolment codes are typed by people: case, spaces and dashes do not matter. */
export function normaliseEnrolmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** Proves the enrolling client holds the identity key it registers (no enrolling someone else's key). */
export function enrolmentProofMessage(code: string, identityKey: Uint8Array): Uint8Array {
  return concatFields([ENROL_CONTEXT, normaliseEnrolmentCode(code), identityKey]);
}

/** u16 length prefix before every field, so field boundaries are unambiguous. */
function concatFields(fields: (string | Uint8Array)[]): Uint8Array {
  const parts = fields.map((field) => (typeof field === 'string' ? new TextEncoder().encode(field) : field));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 2 + part.length, 0));
  let at = 0;
  for (const part of parts) {
    if (part.length > 0xffff) throw new Error('field too long');
    out[at] = part.length >> 8;
    out[at + 1] = part.length & 0xff;
    out.set(part, at + 2);
    at += 2 + part.length;
  }
  return out;
}
