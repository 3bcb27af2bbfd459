import { z } from 'zod';

/**
 * What travels inside an encrypted envelope: the relay never sees any of it. JSON, versioned,
 * parsed with a schema after decryption: a peer with a valid session can still send nonsense, and
 * nonsense must become a typed rejection, not a crash or a half-written message.
 */
export const CONTENT_VERSION = 1;
const MessageId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a 128-bit hex message id');
const B64 = z.string().max(64 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const Millis = z.number().int().nonnegative();
/** A disappearing-messages timer is at most four weeks. */
export const MAX_TIMER_SECONDS = 28 * 24 * 60 * 60;
const UserRef = z.string().min(1).max(128);
/** Group records: a change naming 500 members of 256 bytes each, base64. */
const B64Large = z.string().max(256 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

export const AttachmentPointer = z
  .object({
    blobId: z.string().regex(/^[0-9a-f]{32}$/),
    key: B64,
    sha256: B64,
    size: z.number().int().nonnegative(),
    encryptedSize: z.number().int().positive(),
    name: z.string().min(1).max(255),
    mimeType: z.string().min(1).max(127),
    thumbnail: B64.nullable(),
  })
  .strict();
export type AttachmentPointer = z.infer<typeof AttachmentPointer>;

/** `urgent`: the sender wants an acknowledgement; the recipient's workstation alerts until it is given. */
/** `mentions`: user ids named with @ in a group message; their workstations notify even when the text is long. */
const Text = z
  .object({ t: z.literal('text'), id: MessageId, sentAt: Millis, text: z.string().min(1).max(8000), urgent: z.literal(true).optional(), mentions: z.array(UserRef).min(1).max(50).optional() })
  .strict();
const Attachment = z.object({ t: z.literal('attachment'), id: MessageId, sentAt: Millis, caption: z.string().max(8000), attachment: AttachmentPointer }).strict();
const Visible = z.discriminatedUnion('t', [Text, Attachment]);
export type VisibleContent = z.infer<typeof Visible>;

const Receipt = z.object({ t: z.literal('receipt'), kind: z.enum(['delivered', 'read']), ids: z.array(MessageId).min(1).max(500), at: Millis }).strict();
/**
 * A copy of what this clinician sent from another of their workstations, so every workstation
 * shows the whole conversation: `to` names the conversation's other party.
 */
const SentTranscript = z.object({ t: z.literal('sent'), to: UserRef, message: Visible }).strict();
/** The recipient acknowledged these urgent messages (by the ids the sender gave them). */
const Ack = z.object({ t: z.literal('ack'), ids: z.array(MessageId).min(1).max(500), at: Millis }).strict();
/** An acknowledgement given on another of our workstations: stops the alert on this one too. */
const AckSync = z.object({ t: z.literal('ack-sync'), peer: UserRef, ids: z.array(MessageId).min(1).max(500), at: Millis }).strict();
/** Read state from another of our own workstations: clears unread badges everywhere. */
const ReadSync = z.object({ t: z.literal('read-sync'), peer: UserRef, ids: z.array(MessageId).min(1).max(500) }).strict();

/**
 * Group membership change (crypto/group-state.ts), sent by its author device over pairwise
 * sessions to every device of every member before and after it. `state`, only for the devices of
 * people being added: the group state the change applies to, so they can check it and join.
 */
const GroupChangeBody = z.object({ t: z.literal('group-change'), change: B64Large, state: B64Large.optional() }).strict();
/** A sender key distribution message (crypto/sender-keys.ts): how a member reads our group messages. */
const SenderKeyBody = z.object({ t: z.literal('sender-key'), key: B64 }).strict();
/**
 * A disappearing-messages timer for the conversation (0 = off), agreed end to end: every device
 * keeps the newest setting (by `at`, then by setter). `peer` names the direct conversation in the
 * copy to our own other workstations; in a group it travels as a group message.
 */
const Timer = z.object({ t: z.literal('timer'), seconds: z.number().int().min(0).max(MAX_TIMER_SECONDS), at: Millis, peer: UserRef.optional() }).strict();
/** Read state of a group from another of our workstations (`read-sync` names a direct peer). */
const GroupReadSync = z.object({ t: z.literal('group-read-sync'), group: z.string().min(1).max(128), ids: z.array(MessageId).min(1).max(500) }).strict();

export const Content = z.object({
  v: z.literal(CONTENT_VERSION),
  body: z.discriminatedUnion('t', [Text, Attachment, Receipt, SentTranscript, ReadSync, Ack, AckSync, GroupChangeBody, SenderKeyBody, GroupReadSync, Timer]),
});
export type Content = z.infer<typeof Content>;
export type ContentBody = Content['body'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeContent(body: ContentBody): Uint8Array {
  return encoder.encode(JSON.stringify({ v: CONTENT_VERSION, body }));
}

export class ContentError extends Error {
  override readonly name = 'ContentError';
}

export function decodeContent(bytes: Uint8Array): ContentBody {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ContentError('decrypted content is not UTF-8 JSON');
  }
  const parsed = Content.safeParse(value);
  if (!parsed.success) throw new ContentError(`decrypted content rejected: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.body;
}
