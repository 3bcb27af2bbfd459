import type { Rng } from '../crypto';

/** 128 random bits as hex: message ids are chosen by the sender and must not collide. */
export function newMessageId(rng: Rng): string {
  return Array.from(rng(16), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A direct conversation's id is derived from the other person, so every one of our workstations agrees on it. */
export function directConversationId(peerUserId: string): string {
  return `direct:${peerUserId}`;
}

export function peerOfDirect(conversationId: string): string | null {
  return conversationId.startsWith('direct:') ? conversationId.slice('direct:'.length) : null;
}

/**
 * Lines the workstation writes into a conversation itself (never sent) carry a sender message id
 * that says what they are: `notice-` a safety notice (a new workstation, a refused change, an
 * urgent message not received), `news-` an ordinary event (a group change, a timer setting).
 */
export function localLineId(kind: 'notice' | 'news', id: string): string {
  return `${kind}-${id}`;
}

export function isNewsLine(senderMessageId: string): boolean {
  return senderMessageId.startsWith('news-');
}
