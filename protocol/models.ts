/** Plain data shapes that cross the bridge. Never secrets; message text only while unlocked. */

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'web-host' in the test and demo host. */
  host: 'electron' | 'web-host';
  platform: string;
}

export interface ProfileSummary {
  id: string;
  displayName: string;
  userId: string;
  lastUsedAt: number | null;
  state: 'active' | 'erased';
  /** Why it was erased: too many wrong PINs, or the organisation's remote wipe. */
  erasedReason?: 'too_many_attempts' | 'remote_wipe' | null;
}

/** The clinician whose profile is open. */
export interface Me {
  profileId: string;
  userId: string;
  deviceId: string;
  username: string;
  displayName: string;
}

export type NotificationLevel = 'none' | 'sender' | 'full';

/** A setting as the UI shows it: its value, and whether the organisation fixed it. */
export interface Setting<T> {
  value: T;
  /** Set by the organisation's policy: shown read-only. */
  locked: boolean;
}

export interface SettingsView {
  notificationLevel: Setting<NotificationLevel>;
  idleLockMinutes: Setting<number>;
  /** The organisation's ceiling: a clinician may only choose a shorter lock time. */
  maxIdleLockMinutes: number;
  /** The most a notification may reveal (policy, default 'none'): a clinician may only reveal less. */
  maxNotificationLevel: NotificationLevel;
  minPinLength: number;
  maxPinAttempts: number;
  relayUrl: Setting<string | null>;
  allowSaveAttachments: boolean;
  /** Policy: may a clinician export messages to PDF for the patient record? */
  allowExport: boolean;
}

export interface ConversationSummary {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  /** The colleague of a direct conversation; '' for a group. */
  peerUserId: string;
  unread: number;
  lastMessage: { preview: string; at: number; fromMe: boolean } | null;
  lastActivityAt: number;
  verified: boolean;
  /** A group's member count (this clinician included while a member); null for a direct conversation. */
  memberCount: number | null;
  /** The conversation's disappearing-messages timer in seconds, the same for every member; 0 when off. */
  disappearingSeconds: number;
  /** The longest timer the organisation's policy allows, in seconds (its retention period, at most 4 weeks). */
  disappearingMaxSeconds: number;
}

export type GroupRole = 'admin' | 'member';

/** A team or rota group as its members see it; membership changes arrive asynchronously, so reload on conversations.changed. */
export interface GroupView {
  conversationId: string;
  name: string;
  /** How many membership changes the group has had. */
  epoch: number;
  /** Admins first, then by name. */
  members: { userId: string; displayName: string; role: GroupRole }[];
  /** This clinician's role; null once they have left or been removed (the group is then read-only). */
  myRole: GroupRole | null;
  /** SHA-256 of the membership record, hex: equal on every member's workstation. */
  stateHash: string;
}

/** What an admin (or, for 'leave', anyone) may change; signed on this workstation and committed through the relay. */
export type GroupChangeInput =
  | { type: 'add' | 'remove'; userIds: string[] }
  | { type: 'promote' | 'demote'; userId: string }
  | { type: 'rename'; name: string }
  | { type: 'leave' };

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface AttachmentView {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  state: 'uploading' | 'downloading' | 'ready' | 'failed';
  /** A small JPEG/PNG preview as a data: URL, for images only. */
  thumbnail: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  /** 'system': news the workstation wrote itself (a group's membership change, a disappearing-messages setting), shown as a centred line; 'safety': a safety notice. */
  kind: 'text' | 'attachment' | 'safety' | 'system';
  fromMe: boolean;
  senderName: string;
  text: string;
  sentAt: number;
  status: MessageStatus;
  attachment: AttachmentView | null;
  /** The sender asked for an acknowledgement. */
  urgent: boolean;
  /** When the recipient acknowledged it (shown to both sides), or null. */
  acknowledgedAt: number | null;
  /** Our own group message: how many of the other members' workstations have it and have read it ("Read by 12 of 15"); else null. */
  receipts: { delivered: number; read: number; of: number } | null;
  /** A received group message that names this clinician with an @mention. */
  mentionsMe: boolean;
}

export interface MessagePage {
  messages: MessageView[];
  /** Pass as `before` for the next, older page; null when there is none. */
  nextCursor: string | null;
}

/** A file made for the clinician to save (an export); `data` is base64. */
export interface ExportedFile {
  fileName: string;
  mimeType: 'application/pdf';
  data: string;
}

export interface DirectoryUser {
  userId: string;
  username: string;
  displayName: string;
}

export interface SearchHit {
  messageId: string;
  conversationId: string;
  conversationTitle: string;
  sentAt: number;
  /** The snippet split into runs; `match` runs are the search terms, to highlight. */
  snippet: { text: string; match: boolean }[];
}

export interface ContactView {
  userId: string;
  username: string;
  displayName: string;
  /** 60 digits in 12 groups of 5, the same on both sides. */
  safetyNumber: string;
  /** What the other side's QR code must contain; base64. */
  safetyQr: string;
  verified: boolean;
  devices: { deviceId: string; addedAt: number; changed: boolean }[];
}

export interface TransferProgress {
  attachmentId: string;
  direction: 'upload' | 'download';
  loaded: number;
  total: number;
}

export type LockReason = 'user' | 'idle' | 'os-lock' | 'suspend' | 'user-switch' | 'shortcut' | 'remote-wipe';
