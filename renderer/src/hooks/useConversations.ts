import { useCallback, useEffect } from 'react';
import type { ConversationSummary } from '../../../protocol/models';
import { useResult } from './useResult';
import type { Loadable } from './useResult';

/** The open profile's conversations, newest activity first, kept current by conversations.changed. */
export function useConversations(): [Loadable<ConversationSummary[]>, (added: ConversationSummary) => void, () => void] {
  const [list, reload, set] = useResult(() => window.wardline.conversations.list());
  useEffect(() => window.wardline.conversations.onChanged((next) => set(sortByActivity(next))), [set]);
  // conversations.start answers before conversations.changed arrives: show the new one at once.
  const add = useCallback(
    (added: ConversationSummary) => {
      const current = list.state === 'ready' ? list.value : [];
      set(sortByActivity([added, ...current.filter((c) => c.id !== added.id)]));
    },
    [list, set],
  );
  const sorted: Loadable<ConversationSummary[]> = list.state === 'ready' ? { state: 'ready', value: sortByActivity(list.value) } : list;
  return [sorted, add, reload];
}

function sortByActivity(list: ConversationSummary[]): ConversationSummary[] {
  return [...list].sort((a, b) => b.lastActivityAt - a.lastActivityAt);
}
