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
