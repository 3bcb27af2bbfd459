import type { Core } from '../core';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { messageView } from './views';

export function messageHandlers(core: Core): Pick<Handlers, 'messages.page' | 'messages.send' | 'messages.retry' | 'messages.markRead' | 'messages.acknowledge' | 'search.messages'> {
  const conversationOf = (id: string) => {
    const open = core.runtime.requireOpen();
    if (!open.store.conversations.get(id)) throw new ApiError('not_found', 'That conversation does not exist.');
    return open;
  };
  return {
    'messages.page': ({ conversationId, before, limit }) => {
      const open = conversationOf(conversationId);
      const page = open.store.messages.page(conversationId, { before: before ?? null, limit: limit ?? 50 });
      return { messages: page.items.map((m) => messageView(open, m)), nextCursor: page.nextCursor };
    },
    'messages.send': ({ conversationId, text, urgent, mentions }) => {
      const open = conversationOf(conversationId);
      const group = open.store.conversations.get(conversationId)?.kind === 'group';
      if (mentions && !group) throw new ApiError('invalid_input', 'Mentions are for group conversations.');
      return messageView(open, open.engine.sendText(conversationId, text, { urgent: urgent === true, ...(mentions ? { mentions } : {}) }));
    },
    'messages.acknowledge': ({ messageId }) => {
      const open = core.runtime.requireOpen();
      const m = open.store.messages.get(messageId);
      if (!m || m.direction !== 'in') throw new ApiError('not_found', 'That message is not one sent to you.');
      if (!m.urgent) throw new ApiError('invalid_input', 'Only an urgent message can be acknowledged.');
      return messageView(open, open.engine.acknowledge(messageId));
    },
    'messages.retry': ({ messageId }) => {
      const open = core.runtime.requireOpen();
      const m = open.store.messages.get(messageId);
      if (!m || m.direction !== 'out') throw new ApiError('not_found', 'That message is not one of yours.');
      if (m.status !== 'failed') throw new ApiError('invalid_input', 'Only a message that failed can be sent again.');
      if (open.store.conversations.get(m.conversationId)?.kind === 'group' && open.engine.groups.info(m.conversationId).myRole === null) {
        throw new ApiError('not_member', 'You are no longer a member of this group.');
      }
      open.engine.retry(messageId);
      return messageView(open, open.store.messages.get(messageId)!);
    },
    'messages.markRead': ({ conversationId }) => {
      const open = conversationOf(conversationId);
      open.engine.markRead(conversationId);
      return null;
    },
    'search.messages': ({ query, limit }) => {
      const open = core.runtime.requireOpen();
      const titles = new Map(open.store.conversations.list().map((c) => [c.id, c.title]));
      return open.store.search.messages(query, { limit: limit ?? 50 }).map((hit) => ({
        messageId: hit.messageId,
        conversationId: hit.conversationId,
        conversationTitle: titles.get(hit.conversationId) ?? '',
        sentAt: hit.sentAt,
        snippet: hit.snippet.map((p) => ({ text: p.text, match: p.highlight })),
      }));
    },
  };
}
