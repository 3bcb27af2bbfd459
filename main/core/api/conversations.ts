import type { Core } from '../core';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { contactView, conversationView } from './views';

export function conversationHandlers(
  core: Core,
): Pick<Handlers, 'conversations.list' | 'conversations.start' | 'conversations.setDisappearing' | 'directory.search' | 'contacts.get' | 'contacts.setVerified'> {
  return {
    'conversations.list': () => {
      const open = core.runtime.requireOpen();
      return open.store.conversations.list().map((c) => conversationView(open, c));
    },
    'directory.search': async ({ query }) => {
      const open = core.runtime.requireOpen();
      const answer = await open.engine.relay.request('directory.search', { query, limit: 20 });
      return answer.users.filter((u) => u.userId !== open.account.userId);
    },
    'conversations.start': async ({ userId }) => {
      const open = core.runtime.requireOpen();
      if (userId === open.account.userId) throw new ApiError('invalid_input', 'You cannot start a conversation with yourself.');
      const known = open.store.contacts.get(userId);
      const user = known ?? (await open.engine.lookupUser(userId));
      if (!user) throw new ApiError('not_found', 'That colleague is not in the directory.');
      const id = await open.engine.startConversation({ userId, displayName: user.displayName, username: user.username ?? undefined });
      const summary = open.store.conversations.list().find((c) => c.id === id);
      if (!summary) throw new ApiError('internal', 'The conversation was not created.');
      return conversationView(open, summary);
    },
    'conversations.setDisappearing': ({ conversationId, seconds }) => {
      const open = core.runtime.requireOpen();
      const conversation = open.store.conversations.get(conversationId);
      if (!conversation) throw new ApiError('not_found', 'That conversation does not exist on this workstation.');
      if (conversation.kind === 'group' && open.engine.groups.info(conversationId).myRole === null) {
        throw new ApiError('not_member', 'You are no longer a member of this group.');
      }
      // Longer than policy allows: the engine's RangeError says so in a sentence (translate.ts: invalid_input).
      open.engine.setDisappearing(conversationId, seconds);
      const summary = open.store.conversations.list().find((c) => c.id === conversationId);
      if (!summary) throw new ApiError('internal', 'The conversation is no longer on this workstation.');
      return conversationView(open, summary);
    },
    'contacts.get': async ({ userId }) => {
      const open = core.runtime.requireOpen();
      await open.engine.directory.devices(userId, { fresh: true }).catch(() => undefined);
      await open.engine.directory.devices(open.account.userId).catch(() => undefined);
      const view = contactView(open, userId);
      if (!view) throw new ApiError('not_found', 'Wardline knows no workstation of this colleague yet.');
      return view;
    },
    'contacts.setVerified': ({ userId, verified }) => {
      const open = core.runtime.requireOpen();
      const now = Date.now();
      open.store.transaction(() => {
        for (const d of open.store.contacts.devices(userId)) open.store.contacts.setTrust(userId, d.deviceId, verified ? 'verified' : 'unverified', now);
        open.store.accessLog.append({ at: now, event: verified ? 'contact_verified' : 'contact_unverified', detail: JSON.stringify({ userId }) });
        if (verified) open.store.outbox.retryNow(userId, now);
      });
      // Anything held back for a changed workstation may go now; the list shows the new state.
      void open.engine.flush();
      core.events.emit('conversations.changed', open.store.conversations.list().map((c) => conversationView(open, c)));
      const view = contactView(open, userId);
      if (!view) throw new ApiError('not_found', 'Wardline knows no workstation of this colleague yet.');
      return view;
    },
  };
}
