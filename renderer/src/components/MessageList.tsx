import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MessageView } from '../../../protocol/models';
import type { Transfers } from '../hooks/useTransfers';
import { call } from '../lib/call';
import { dayKey } from '../lib/format';
import { MessageRow } from './MessageRow';

interface Props {
  title: string;
  messages: readonly MessageView[];
  hasMore: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  onLoadOlder(): void;
  /** Scroll to this message and highlight it (a search result); null: start at the newest. */
  highlightId: string | null;
  transfers: Transfers;
  retrying: ReadonlySet<string>;
  onRetry(message: MessageView): void;
  onAcknowledge(message: MessageView): void;
  onOpenAttachment(message: MessageView): void;
  /** Select mode: check boxes on messages, these ids checked. */
  selection: ReadonlySet<string> | null;
  onToggleSelected(message: MessageView): void;
  /** Changes when the reader sent something: go to the newest message even if scrolled up. */
  followSignal: number;
}

/** The contract's limit for clipboard.copy (4 × MAX_TEXT_CHARS); main checks it again. */
const MAX_COPY_CHARS = 32_000;

/** Rows this close to the top ask for the next older page, before the reader reaches the edge. */
const PREFETCH_ROWS = 10;

/**
 * The conversation as a virtualised list: only the rows near the viewport exist in the DOM, so
 * 100,000 loaded messages scroll like 100. Anchored to the end like every chat: it opens at the
 * newest message, follows new ones while the reader is at the bottom, and keeps the visible
 * message still when older pages are prepended above it.
 */
export function MessageList(props: Props) {
  const { messages, hasMore, loadingOlder, onLoadOlder, highlightId } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const rem = useRem();
  const [atEnd, setAtEnd] = useState(true);

  // Both must keep their identity between renders: a new getItemKey makes the virtualizer
  // recompute every row's offset, which at 100,000 rows costs a frame on every scroll.
  const getItemKey = useCallback((index: number) => messages[index]?.id ?? index, [messages]);
  const estimateSize = useCallback(() => 4.5 * rem, [rem]);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 8,
    paddingStart: 3 * rem,
    paddingEnd: rem,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: 4 * rem,
    onChange: (instance) => setAtEnd(instance.isAtEnd()),
  });

  // Open at the newest message, or at the search result once it has been loaded.
  const landed = useRef(false);
  const highlightIndex = useMemo(() => (highlightId ? messages.findIndex((m) => m.id === highlightId) : -1), [messages, highlightId]);
  useLayoutEffect(() => {
    if (landed.current || messages.length === 0) return;
    if (highlightId && highlightIndex < 0) return;
    landed.current = true;
    if (highlightIndex >= 0) virtualizer.scrollToIndex(highlightIndex, { align: 'center' });
    else virtualizer.scrollToEnd();
  }, [messages.length, highlightId, highlightIndex, virtualizer]);

  useEffect(() => {
    if (props.followSignal > 0) virtualizer.scrollToEnd();
  }, [props.followSignal, virtualizer]);

  // Copying message text goes through main, which clears the clipboard after the policy's
  // seconds and at lock; the browser's own copy would leave it there for the next person.
  useEffect(() => {
    function onCopy(event: ClipboardEvent) {
      const selection = document.getSelection();
      const list = scrollRef.current;
      if (!selection || !list || selection.isCollapsed) return;
      if (!list.contains(selection.anchorNode) && !list.contains(selection.focusNode)) return;
      event.preventDefault();
      const text = selection.toString();
      if (text.trim()) void call(() => window.wardline.clipboard.copy({ text: text.slice(0, MAX_COPY_CHARS) }));
    }
    document.addEventListener('copy', onCopy);
    return () => document.removeEventListener('copy', onCopy);
  }, []);

  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  useEffect(() => {
    if (landed.current && hasMore && !loadingOlder && firstIndex < PREFETCH_ROWS && !props.olderError) onLoadOlder();
  }, [firstIndex, hasMore, loadingOlder, onLoadOlder, props.olderError]);

  return (
    <div className="msglist-wrap">
      <div
        ref={scrollRef}
        className="msglist"
        tabIndex={0}
        role="region"
        aria-label={`Messages with ${props.title}`}
        aria-busy={loadingOlder || undefined}
      >
        <div className="msglist__top">
          {loadingOlder && <p role="status">Loading earlier messages…</p>}
          {!loadingOlder && props.olderError && (
            <p className="error">
              {props.olderError}{' '}
              <button type="button" className="button button--small" onClick={onLoadOlder}>
                Try again
              </button>
            </p>
          )}
          {!hasMore && !props.olderError && messages.length > 0 && <p>Start of your conversation with {props.title}</p>}
        </div>
        <div role="list" aria-label="Messages" className="msglist__sizer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const message = messages[item.index];
            if (!message) return null;
            const previous = messages[item.index - 1];
            return (
              <div
                key={item.key as string}
                role="listitem"
                aria-posinset={item.index + 1}
                aria-setsize={hasMore ? -1 : messages.length}
                className="msglist__row"
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <MessageRow
                  message={message}
                  newDay={!previous || dayKey(previous.sentAt) !== dayKey(message.sentAt)}
                  highlighted={message.id === highlightId}
                  transfer={message.attachment ? props.transfers.get(message.attachment.id) : undefined}
                  retrying={props.retrying.has(message.id)}
                  onRetry={props.onRetry}
                  onAcknowledge={props.onAcknowledge}
                  onOpenAttachment={props.onOpenAttachment}
                  selecting={props.selection !== null}
                  selected={props.selection?.has(message.id) ?? false}
                  onToggleSelected={props.onToggleSelected}
                />
              </div>
            );
          })}
        </div>
      </div>
      {!atEnd && messages.length > 0 && (
        <button type="button" className="button jump-latest" onClick={() => virtualizer.scrollToEnd({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' })}>
          Jump to latest ↓
        </button>
      )}
    </div>
  );
}

/** The root font size in px, so row estimates follow the OS text size like everything else. */
function useRem(): number {
  const [rem] = useState(() => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16);
  return rem;
}
