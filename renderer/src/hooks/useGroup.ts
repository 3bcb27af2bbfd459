import { useCallback, useEffect, useState } from 'react';
import type { GroupView } from '../../../protocol/models';
import type { ApiErrorBody } from '../../../protocol/result';
import { call } from '../lib/call';

export type GroupState = { state: 'none' } | { state: 'loading' } | { state: 'ready'; value: GroupView } | { state: 'failed'; error: ApiErrorBody };

/**
 * A group's members and this clinician's role ('none' for a direct conversation). Changes land
 * asynchronously (the relay orders them, then each workstation applies them), so it reloads
 * whenever the conversation list changes or a line arrives in this group.
 */
export function useGroup(conversationId: string, isGroup: boolean): [GroupState, (value: GroupView) => void] {
  const [group, setGroup] = useState<GroupState>(isGroup ? { state: 'loading' } : { state: 'none' });
  const [generation, setGeneration] = useState(0);
  const set = useCallback((value: GroupView) => setGroup({ state: 'ready', value }), []);

  useEffect(() => {
    if (!isGroup) return;
    let live = true;
    void call(() => window.wardline.groups.info({ conversationId })).then((result) => {
      // A failed reload keeps what is shown; only the first load shows the error.
      if (live) setGroup((g) => (result.ok ? { state: 'ready', value: result.value } : g.state === 'ready' ? g : { state: 'failed', error: result.error }));
    });
    return () => {
      live = false;
    };
  }, [conversationId, isGroup, generation]);

  useEffect(() => {
    if (!isGroup) return;
    const reload = () => setGeneration((n) => n + 1);
    const offList = window.wardline.conversations.onChanged(reload);
    const offAdded = window.wardline.messages.onAdded((m) => {
      if (m.conversationId === conversationId && m.kind !== 'text' && m.kind !== 'attachment') reload();
    });
    return () => {
      offList();
      offAdded();
    };
  }, [conversationId, isGroup]);

  return [group, set];
}
