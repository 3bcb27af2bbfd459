import type { GroupView } from '../../../protocol/models';
import type { Core } from '../core';
import type { OpenProfile } from '../runtime/runtime';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { translateGroupChange } from './translate';
import { conversationView } from './views';

/**
 * Team and rota groups. A change is checked here against the group's current state (so "only an
 * admin can do that" is an answer, not a silent failure), then signed and committed through the
 * relay by the engine; it shows up for everyone, this clinician included, as a system line and
 * on conversations.changed once the relay has ordered it.
 */
export function groupHandlers(core: Core): Pick<Handlers, 'groups.create' | 'groups.info' | 'groups.change'> {
  return {
    'groups.create': async ({ name, memberUserIds }) => {
      const open = core.runtime.requireOpen();
      const others = [...new Set(memberUserIds)].filter((u) => u !== open.account.userId);
      if (others.length === 0) throw new ApiError('invalid_input', 'Choose at least one colleague for the group.');
      await learnNames(open, others);
      const id = asGroupChange(() => open.engine.groups.create(name, others));
      const summary = open.store.conversations.list().find((c) => c.id === id);
      if (!summary) throw new ApiError('internal', 'The group was not created.');
      return conversationView(open, summary);
    },
    'groups.info': ({ conversationId }) => groupView(core.runtime.requireOpen(), conversationId),
    'groups.change': async ({ conversationId, change }) => {
      const open = core.runtime.requireOpen();
      const before = groupView(open, conversationId);
      if (before.myRole === null) throw new ApiError('not_member', 'You are no longer a member of this group.');
      if (change.type === 'add') await learnNames(open, change.userIds);
      asGroupChange(() => open.engine.groups.change(conversationId, change));
      return groupView(open, conversationId);
    },
  };
}

function groupView(open: OpenProfile, conversationId: string): GroupView {
  const c = open.store.conversations.get(conversationId);
  if (!c || c.kind !== 'group') throw new ApiError('not_found', 'That group does not exist on this workstation.');
  const info = open.engine.groups.info(conversationId);
  return { conversationId, name: info.name, epoch: info.epoch, members: info.members, myRole: info.myRole, stateHash: info.stateHash };
}

function asGroupChange<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw translateGroupChange(err) ?? err;
  }
}

/** Members' names for the member list and system lines, from the directory, before the change is queued. */
async function learnNames(open: OpenProfile, userIds: readonly string[]): Promise<void> {
  const unknown = userIds.filter((u) => !open.store.contacts.get(u));
  const found = await Promise.all(unknown.map((u) => open.engine.lookupUser(u)));
  const missing = unknown.filter((_, i) => !found[i]);
  if (missing.length > 0) throw new ApiError('not_found', `${missing.length === 1 ? 'One colleague is' : `${missing.length} colleagues are`} not in the directory.`);
  const now = Date.now();
  open.store.transaction(() => {
    for (const user of found) if (user) open.store.contacts.upsert({ userId: user.userId, displayName: user.displayName, username: user.username, now });
  });
}
