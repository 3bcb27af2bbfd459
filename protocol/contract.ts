import { z } from 'zod';
import type { EventName, MethodName } from './channels';
import type {
  AppInfo,
  ContactView,
  ConversationSummary,
  DirectoryUser,
  ExportedFile,
  GroupView,
  LockReason,
  Me,
  MessagePage,
  MessageView,
  ProfileSummary,
  SearchHit,
  SettingsView,
  TransferProgress,
} from './models';

/**
 * The IPC contract: every method the renderer may call, with the schema its input must pass
 * before any handler sees it and the type of its result, and every event main may send.
 * Adding a method means adding it here and in channels.ts; the `satisfies` clauses below make
 * a mismatch a compile error.
 */
declare const OUTPUT: unique symbol;
declare const PAYLOAD: unique symbol;

export interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  readonly [OUTPUT]?: O;
}

export interface EventSpec<P> {
  readonly [PAYLOAD]?: P;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

function event<P>(): EventSpec<P> {
  return {};
}

/** Methods without arguments still take an object, so adding an optional field later is not a breaking change. */
const NoInput = z.object({}).strict();
const Id = z.string().min(1).max(128);
/** PINs are digits only: typed on shared keyboards, often with gloves; length rules come from policy. */
const Pin = z.string().regex(/^[0-9]{4,32}$/, 'a PIN is 4 to 32 digits');
const Base64 = (maxBytes: number) =>
  z.string().max(Math.ceil(maxBytes / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
export const MAX_TEXT_CHARS = 8000;
export const MAX_THUMBNAIL_BYTES = 48 * 1024;
/** A group holds up to 500 members (docs/protocol.md section 11), the creator included. */
export const MAX_GROUP_MEMBERS = 500;
/** The group state's limit is 256 UTF-8 bytes; main refuses a longer name in bytes with invalid_input. */
export const MAX_GROUP_NAME_CHARS = 256;
/** The longest disappearing-messages timer the protocol carries (4 weeks); policy may allow less, which main checks. */
export const MAX_DISAPPEARING_SECONDS = 28 * 24 * 60 * 60;
const GroupName = z.string().trim().min(1).max(MAX_GROUP_NAME_CHARS);
const UserIds = z.array(Id).min(1).max(MAX_GROUP_MEMBERS - 1);
const GroupChange = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['add', 'remove']), userIds: UserIds }).strict(),
  z.object({ type: z.enum(['promote', 'demote']), userId: Id }).strict(),
  z.object({ type: z.literal('rename'), name: GroupName }).strict(),
  z.object({ type: z.literal('leave') }).strict(),
]);

export const methods = {
  'app.info': method<AppInfo>()(NoInput),
  'policy.settings': method<SettingsView>()(NoInput),
  'settings.update': method<SettingsView>()(
    z.object({ notificationLevel: z.enum(['none', 'sender', 'full']).optional(), idleLockMinutes: z.number().int().min(1).max(240).optional() }).strict(),
  ),
  'profiles.list': method<ProfileSummary[]>()(NoInput),
  'profiles.enrol': method<Me>()(
    z.object({ relayUrl: z.string().url().max(2048), code: z.string().trim().min(4).max(64), pin: Pin }).strict(),
  ),
  'profiles.unlock': method<Me>()(z.object({ profileId: Id, pin: Pin }).strict()),
  'profiles.lock': method<null>()(z.object({ reason: z.enum(['user', 'shortcut']).optional() }).strict()),
  'profiles.changePin': method<null>()(z.object({ currentPin: Pin, newPin: Pin }).strict()),
  'profiles.current': method<Me | null>()(NoInput),
  'conversations.list': method<ConversationSummary[]>()(NoInput),
  'conversations.start': method<ConversationSummary>()(z.object({ userId: Id }).strict()),
  /** Sets the disappearing-messages timer for every member (0 turns it off); longer than policy allows answers invalid_input. */
  'conversations.setDisappearing': method<ConversationSummary>()(
    z.object({ conversationId: Id, seconds: z.number().int().min(0).max(MAX_DISAPPEARING_SECONDS) }).strict(),
  ),
  /** A new team or rota group with this clinician as admin; the members are added through the relay (asynchronously). */
  'groups.create': method<ConversationSummary>()(z.object({ name: GroupName, memberUserIds: UserIds }).strict()),
  'groups.info': method<GroupView>()(z.object({ conversationId: Id }).strict()),
  /** Checked now against the group's state (not_authorized, invalid_input), then signed and committed; members see a system line when it lands. */
  'groups.change': method<GroupView>()(z.object({ conversationId: Id, change: GroupChange }).strict()),
  'messages.page': method<MessagePage>()(
    z.object({ conversationId: Id, before: z.string().max(256).optional(), limit: z.number().int().min(1).max(200).optional() }).strict(),
  ),
  'messages.send': method<MessageView>()(
    z.object({
      conversationId: Id,
      text: z.string().trim().min(1).max(MAX_TEXT_CHARS),
      urgent: z.boolean().optional(),
      /** Group members named with @ in the text: their workstations notify them. */
      mentions: z.array(Id).min(1).max(50).optional(),
    }).strict(),
  ),
  'messages.retry': method<MessageView>()(z.object({ messageId: Id }).strict()),
  'messages.markRead': method<null>()(z.object({ conversationId: Id }).strict()),
  /** Acknowledges an urgent message: its alert stops and the sender's workstations are told. */
  'messages.acknowledge': method<MessageView>()(z.object({ messageId: Id }).strict()),
  /** Exactly these messages as a PDF for the patient record (policy: allowExport); logged in the access logs. */
  'messages.export': method<ExportedFile>()(z.object({ conversationId: Id, messageIds: z.array(Id).min(1).max(500) }).strict()),
  /** Deletes these messages (and their attachments) from this workstation only, e.g. once exported to the record. */
  'messages.delete': method<{ deleted: number }>()(z.object({ conversationId: Id, messageIds: z.array(Id).min(1).max(500) }).strict()),
  'attachments.send': method<MessageView>()(
    z.object({
      conversationId: Id,
      name: z.string().trim().min(1).max(255),
      mimeType: z.string().max(127).regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a MIME type'),
      data: Base64(MAX_ATTACHMENT_BYTES),
      /** A small JPEG preview the page drew from the picture (images only); it travels inside the encrypted message. */
      thumbnail: Base64(MAX_THUMBNAIL_BYTES).optional(),
    }).strict(),
  ),
  'attachments.open': method<{ mimeType: string; name: string; data: string }>()(z.object({ attachmentId: Id }).strict()),
  'directory.search': method<DirectoryUser[]>()(z.object({ query: z.string().trim().min(1).max(64) }).strict()),
  'search.messages': method<SearchHit[]>()(
    z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(100).optional() }).strict(),
  ),
  'contacts.get': method<ContactView>()(z.object({ userId: Id }).strict()),
  'contacts.setVerified': method<ContactView>()(z.object({ userId: Id, verified: z.boolean() }).strict()),
  /** Copies through main so the text can be cleared from the clipboard later (policy: clipboard clear seconds). */
  'clipboard.copy': method<null>()(z.object({ text: z.string().min(1).max(MAX_TEXT_CHARS * 4) }).strict()),
  /** The web host's idle clock: the page reports input (throttled). Electron measures idle time itself. */
  'workstation.activity': method<null>()(NoInput),
} satisfies Record<MethodName, MethodSpec<z.ZodType, unknown>>;

export const events = {
  'profiles.changed': event<ProfileSummary[]>(),
  'profiles.locked': event<{ profileId: string; reason: LockReason }>(),
  'profiles.lockWarning': event<{ secondsLeft: number }>(),
  'profiles.lockWarningCleared': event<Record<string, never>>(),
  'conversations.changed': event<ConversationSummary[]>(),
  'messages.added': event<MessageView>(),
  'messages.updated': event<MessageView>(),
  'attachments.progress': event<TransferProgress>(),
  /** Messages left the store (deleted here, or expired by retention: `messageIds` null, reload what is shown). */
  'messages.removed': event<{ messageIds: string[] | null }>(),
} satisfies Record<EventName, EventSpec<unknown>>;

// The reverse direction of the `satisfies` checks: no method or event beyond the channel lists.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _methodsMatch: Exact<keyof typeof methods, MethodName> = true;
const _eventsMatch: Exact<keyof typeof events, EventName> = true;
void _methodsMatch;
void _eventsMatch;

export type Methods = typeof methods;
export type Events = typeof events;
export type InputOf<M extends MethodName> = z.input<Methods[M]['input']>;
export type ParsedInputOf<M extends MethodName> = z.output<Methods[M]['input']>;
export type OutputOf<M extends MethodName> = Methods[M] extends MethodSpec<z.ZodType, infer O> ? O : never;
export type PayloadOf<E extends EventName> = Events[E] extends EventSpec<infer P> ? P : never;
