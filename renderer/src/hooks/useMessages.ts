import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../../protocol/models';
import type { ApiErrorBody } from '../../../protocol/result';
import { call } from '../lib/call';

/** The first page: a screenful and then some, quickly. */
const FIRST_PAGE = 100;
/** Older history, and the search for a result further back: the largest page the contract allows. */
const OLDER_PAGE = 200;

export interface MessagesState {
  messages: MessageView[];
  phase: 'loading' | 'ready' | 'failed';
  error: ApiErrorBody | null;
  hasMore: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  /** While opening a search result: 'seeking' until it is loaded, 'missing' if it never was. */
  seek: 'none' | 'seeking' | 'found' | 'missing';
}

/**
 * One conversation's messages, oldest first: the newest page on mount, older pages on demand,
 * messages.added / messages.updated applied in place, and messages.removed taken off. The component using it is keyed by
 * conversation, so switching conversations (or locking) starts from nothing.
 */
export function useMessages(conversationId: string, focusMessageId: string | null) {
  const [state, setState] = useState<MessagesState>({
    messages: [],
    phase: 'loading',
    error: null,
    hasMore: true,
    loadingOlder: false,
    olderError: null,
    seek: focusMessageId ? 'seeking' : 'none',
  });
  const cursor = useRef<string | null>(null);
  const hasMore = useRef(true);
  const busy = useRef(false);
  // Set by a reload: the next page replaces what is shown instead of being added above it.
  const replace = useRef(false);
  // Bumped by each mount and unmount, so answers for a previous run (StrictMode, a quick switch) are dropped.
  const epoch = useRef(0);

  const loadOlder = useCallback(
    async (limit = OLDER_PAGE): Promise<MessageView[] | null> => {
      if (busy.current || !hasMore.current) return null;
      const mine = epoch.current;
      busy.current = true;
      setState((s) => ({ ...s, loadingOlder: s.phase === 'ready', olderError: null }));
      const before = cursor.current ?? undefined;
      const result = await call(() => window.wardline.messages.page({ conversationId, before, limit }));
      if (epoch.current !== mine) return null;
      busy.current = false;
      if (!result.ok) {
        setState((s) =>
          s.phase === 'ready' ? { ...s, loadingOlder: false, olderError: result.error.message } : { ...s, phase: 'failed', error: result.error },
        );
        return null;
      }
      const page = chronological(result.value.messages);
      cursor.current = result.value.nextCursor;
      hasMore.current = result.value.nextCursor !== null;
      const fresh = replace.current;
      replace.current = false;
      setState((s) => {
        const ids = new Set(page.map((m) => m.id));
        const rest = fresh ? [] : ids.size ? s.messages.filter((m) => !ids.has(m.id)) : s.messages;
        return { ...s, phase: 'ready', error: null, loadingOlder: false, hasMore: hasMore.current, messages: [...page, ...rest] };
      });
      return page;
    },
    [conversationId],
  );

  const upsert = useCallback(
    (message: MessageView) => {
      if (message.conversationId !== conversationId) return;
      setState((s) => {
        const list = s.messages;
        let at = -1;
        // Updates are nearly always about recent messages: search from the end.
        for (let i = list.length - 1; i >= 0; i--) {
          if (list[i]!.id === message.id) {
            at = i;
            break;
          }
        }
        const next = at >= 0 ? list.with(at, message) : [...list, message];
        return { ...s, messages: next };
      });
    },
    [conversationId],
  );

  const start = useCallback(async () => {
    const first = await loadOlder(focusMessageId ? OLDER_PAGE : FIRST_PAGE);
    if (!first) return;
    void call(() => window.wardline.messages.markRead({ conversationId }));
    if (!focusMessageId) return;
    let found = first.some((m) => m.id === focusMessageId);
    const mine = epoch.current;
    while (!found && hasMore.current && epoch.current === mine) {
      const page = await loadOlder(OLDER_PAGE);
      if (!page) break;
      found = page.some((m) => m.id === focusMessageId);
    }
    if (epoch.current === mine) setState((s) => ({ ...s, seek: found ? 'found' : 'missing' }));
  }, [loadOlder, focusMessageId, conversationId]);

  useEffect(() => {
    epoch.current += 1;
    busy.current = false;
    hasMore.current = true;
    cursor.current = null;
    void start();
    return () => {
      epoch.current += 1;
    };
  }, [start]);

  useEffect(() => {
    const offAdded = window.wardline.messages.onAdded((message) => {
      if (message.conversationId !== conversationId) return;
      upsert(message);
      if (!message.fromMe && document.visibilityState === 'visible' && document.hasFocus()) {
        void call(() => window.wardline.messages.markRead({ conversationId }));
      }
    });
    const offUpdated = window.wardline.messages.onUpdated(upsert);
    // Deleted here (their ids): drop them. Expired by retention (no ids): load the newest page
    // again in place of everything shown, so no expired message stays on the screen.
    const offRemoved = window.wardline.messages.onRemoved(({ messageIds }) => {
      if (messageIds) {
        const gone = new Set(messageIds);
        setState((s) => (s.messages.some((m) => gone.has(m.id)) ? { ...s, messages: s.messages.filter((m) => !gone.has(m.id)) } : s));
        return;
      }
      epoch.current += 1;
      busy.current = false;
      hasMore.current = true;
      cursor.current = null;
      replace.current = true;
      void loadOlder(FIRST_PAGE);
    });
    const onFocus = () => void call(() => window.wardline.messages.markRead({ conversationId }));
    window.addEventListener('focus', onFocus);
    return () => {
      offAdded();
      offUpdated();
      offRemoved();
      window.removeEventListener('focus', onFocus);
    };
  }, [conversationId, upsert, loadOlder]);

  const retryFirstPage = useCallback(() => {
    setState((s) => ({ ...s, phase: 'loading', error: null }));
    void start();
  }, [start]);

  return { state, loadOlder, upsert, retryFirstPage };
}

/** The contract does not fix a page's order; show oldest first whichever way it comes. */
function chronological(page: MessageView[]): MessageView[] {
  if (page.length > 1 && page[0]!.sentAt > page[page.length - 1]!.sentAt) return [...page].reverse();
  return page;
}
