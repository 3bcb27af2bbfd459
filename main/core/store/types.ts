/** Domain records read and written through the store's repositories. Times are Unix ms. */

export interface IdentityRecord {
  userId: string;
  deviceId: string;
  registrationId: number;
  identityPublic: Uint8Array;
  identityPrivate: Uint8Array;
  createdAt: number;
}

export type PrekeyKind = 'signed' | 'one_time' | 'kyber' | 'kyber_last_resort';

export interface PrekeyRecord {
  kind: PrekeyKind;
  keyId: number;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  signature: Uint8Array | null;
  createdAt: number;
  usedAt: number | null;
}

export interface ContactRecord {
  userId: string;
  displayName: string;
  username: string | null;
  title: string | null;
  department: string | null;
  createdAt: number;
  updatedAt: number;
}

export type TrustState = 'unverified' | 'verified' | 'changed';

export interface DeviceRecord {
  userId: string;
  deviceId: string;
  identityKey: Uint8Array;
  trust: TrustState;
  firstSeenAt: number;
  updatedAt: number;
}

export type ConversationKind = 'direct' | 'group';

export interface ConversationRecord {
  id: string;
  kind: ConversationKind;
  title: string;
  createdAt: number;
  lastActivityAt: number;
  /** Disappearing-messages timer in seconds; 0 when off. */
  disappearSeconds: number;
}

/** A conversation's disappearing-messages setting and who set it when (the newest wins everywhere). */
export interface DisappearingTimer {
  seconds: number;
  setAt: number;
  setBy: string;
}

export interface ConversationSummary extends ConversationRecord {
  unreadCount: number;
  lastMessage: {
    id: string;
    direction: Direction;
    senderUserId: string;
    preview: string;
    sentAt: number;
  } | null;
}

export type Direction = 'in' | 'out';
export type MessageKind = 'text' | 'system';
/** Outgoing: pending -> sent -> delivered -> read (or failed). Incoming: received. */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

export interface NewMessage {
  id: string;
  conversationId: string;
  direction: Direction;
  senderUserId: string;
  senderDeviceId: string;
  /** The id the sender gave the message; for our own messages, equal to `id`. */
  senderMessageId: string;
  kind?: MessageKind;
  body: string;
  status: MessageStatus;
  sentAt: number;
  /** Local receipt time of an incoming message; it orders the conversation when present. */
  receivedAt?: number | null;
  /** The sender asked for an acknowledgement (repeating alert at the recipient). */
  urgent?: boolean;
}

export interface MessageRecord extends Required<Omit<NewMessage, 'receivedAt'>> {
  receivedAt: number | null;
  sortAt: number;
  readAt: number | null;
  /** Urgent messages: when the recipient acknowledged it (their clock), else null. */
  acknowledgedAt: number | null;
}

export interface MessagePage {
  /** Newest first. */
  items: MessageRecord[];
  /** Pass as `before` to get the next (older) page; null when there is nothing older. */
  nextCursor: string | null;
}

export interface DedupeMarker {
  senderUserId: string;
  senderDeviceId: string;
  senderMessageId: string;
}

export interface SessionUpdate {
  userId: string;
  deviceId: string;
  record: Uint8Array;
}

export interface ReceivedInput {
  /** Null for envelopes that advance the ratchet but carry no visible message (receipts). */
  message: NewMessage | null;
  sessionUpdate: SessionUpdate;
  dedupeMarker: DedupeMarker;
  now: number;
}

export interface NewOutboxEntry {
  kind: string;
  messageId?: string | null;
  recipientUserId: string;
  recipientDeviceId?: string | null;
  payload?: Uint8Array | null;
  /** When the first attempt is due (usually now). */
  nextAttemptAt: number;
  createdAt: number;
}

export interface OutboxEntry {
  id: number;
  kind: string;
  messageId: string | null;
  recipientUserId: string;
  recipientDeviceId: string | null;
  payload: Uint8Array | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

export type AttachmentState = 'pending' | 'stored' | 'failed';

export interface AttachmentRecord {
  id: string;
  messageId: string;
  fileName: string;
  mimeType: string;
  size: number;
  sha256: Uint8Array;
  state: AttachmentState;
  createdAt: number;
  /** Received attachments: the JSON pointer (blob id, key, digest) from the message. */
  pointer?: string | null;
  thumbnail?: Uint8Array | null;
}

export interface SnippetPart {
  text: string;
  highlight: boolean;
}

export interface SearchHit {
  messageId: string;
  conversationId: string;
  sentAt: number;
  /** The matching passage, split so the UI can highlight without parsing markup. */
  snippet: SnippetPart[];
  /** bm25 score: lower is a better match. */
  rank: number;
}

export interface AccessLogEntry {
  id: number;
  at: number;
  event: string;
  detail: string | null;
}

/** The profile's enrolment with its relay; device keys are crypto's serialised DeviceKeys. */
export interface AccountRecord {
  userId: string;
  deviceId: string;
  username: string;
  displayName: string;
  relayUrl: string;
  directoryKey: Uint8Array;
  certificate: Uint8Array;
  deviceKeys: Uint8Array;
}
