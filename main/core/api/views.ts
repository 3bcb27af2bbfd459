import type { ContactView, ConversationSummary, MessageView } from '../../../protocol/models';
import { formatSafetyNumber, safetyNumber } from '../crypto';
import { isNewsLine } from '../messaging/ids';
import { encodeBase64 } from '../../../protocol/relay';
import { peerOfDirect } from '../messaging/ids';
import type { OpenProfile } from '../runtime/runtime';
import type { ConversationSummary as StoredSummary, MessageRecord } from '../store';

const GROUP_PREFIX = 'group:';

/** Store records as the renderer sees them: no keys, no ids it does not need. */
export function conversationView(open: OpenProfile, c: StoredSummary): ConversationSummary {
  if (c.kind === 'group') {
    return {
      id: c.id,
      kind: 'group',
      title: c.title,
      peerUserId: '',
      unread: c.unreadCount,
      lastMessage: c.lastMessage ? { preview: previewOf(open, c.lastMessage), at: c.lastMessage.sentAt, fromMe: c.lastMessage.direction === 'out' } : null,
      lastActivityAt: c.lastActivityAt,
      verified: false,
      memberCount: open.store.conversations.members(c.id).length,
      disappearingSeconds: c.disappearSeconds,
      disappearingMaxSeconds: open.engine.disappearingCap(),
    };
  }
  const peer = peerOfDirect(c.id) ?? '';
  const devices = peer ? open.store.contacts.devices(peer) : [];
  return {
    id: c.id,
    kind: 'direct',
    title: open.store.contacts.get(peer)?.displayName ?? c.title,
    peerUserId: peer,
    unread: c.unreadCount,
    lastMessage: c.lastMessage ? { preview: previewOf(open, c.lastMessage), at: c.lastMessage.sentAt, fromMe: c.lastMessage.direction === 'out' } : null,
    lastActivityAt: c.lastActivityAt,
    verified: devices.length > 0 && devices.every((d) => d.trust === 'verified'),
    memberCount: null,
    disappearingSeconds: c.disappearSeconds,
    disappearingMaxSeconds: open.engine.disappearingCap(),
  };
}

/** An attachment's message has no text of its own: the list shows the file's name instead. */
function previewOf(open: OpenProfile, last: NonNullable<StoredSummary['lastMessage']>): string {
  if (last.preview) return last.preview;
  const file = open.store.attachments.forMessage(last.id)[0];
  return file ? `Attachment: ${file.fileName}` : '';
}

export function messageView(open: OpenProfile, m: MessageRecord): MessageView {
  const attachment = open.store.attachments.forMessage(m.id)[0] ?? null;
  const fromMe = m.direction === 'out';
  const group = m.conversationId.startsWith(GROUP_PREFIX);
  return {
    id: m.id,
    conversationId: m.conversationId,
    // Lines the workstation wrote itself: news (group changes, timers) or safety notices (messaging/ids.ts).
    kind: m.kind === 'system' ? (isNewsLine(m.senderMessageId) ? 'system' : 'safety') : attachment ? 'attachment' : 'text',
    fromMe,
    senderName: fromMe ? open.account.displayName : (open.store.contacts.get(m.senderUserId)?.displayName ?? 'Colleague'),
    text: m.body,
    sentAt: m.sentAt,
    status: m.status === 'received' ? 'delivered' : m.status,
    attachment: attachment
      ? {
          id: attachment.id,
          name: attachment.fileName,
          mimeType: attachment.mimeType,
          size: attachment.size,
          state: attachment.state === 'stored' ? 'ready' : attachment.state === 'failed' ? 'failed' : fromMe ? 'uploading' : 'downloading',
          thumbnail: attachment.thumbnail ? `data:image/jpeg;base64,${encodeBase64(attachment.thumbnail)}` : null,
        }
      : null,
    urgent: m.urgent,
    acknowledgedAt: m.acknowledgedAt,
    receipts: group && fromMe && m.kind !== 'system' ? open.engine.groups.receiptSummary(m) : null,
    mentionsMe: group && !fromMe && m.kind !== 'system' && open.engine.groups.mentionsMe(m.id),
  };
}

/**
 * The safety number covers every workstation of both people (see docs/protocol.md): ours from
 * the directory plus this one, theirs as certified. It changes when either adds a workstation.
 */
export function contactView(open: OpenProfile, userId: string): ContactView | null {
  const contact = open.store.contacts.get(userId);
  const devices = open.store.contacts.devices(userId);
  if (!contact || devices.length === 0) return null;
  const mine = [open.engine.identityKey(), ...open.store.contacts.devices(open.account.userId).map((d) => d.identityKey)];
  const enc = new TextEncoder();
  const number = safetyNumber(
    { identityKey: mine, stableId: enc.encode(open.account.userId) },
    { identityKey: devices.map((d) => d.identityKey), stableId: enc.encode(userId) },
  );
  return {
    userId,
    username: contact.username ?? '',
    displayName: contact.displayName,
    safetyNumber: formatSafetyNumber(number.digits),
    safetyQr: encodeBase64(number.qrPayload),
    verified: devices.every((d) => d.trust === 'verified'),
    devices: devices.map((d) => ({ deviceId: d.deviceId, addedAt: d.firstSeenAt, changed: d.trust === 'changed' })),
  };
}
