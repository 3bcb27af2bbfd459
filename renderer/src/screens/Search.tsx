import { useEffect, useRef } from 'react';
import type { SearchHit } from '../../../protocol/models';
import { useResult } from '../hooks/useResult';
import { fullTime, plural } from '../lib/format';

interface Props {
  query: string;
  onOpenHit(hit: SearchHit): void;
}

const LIMIT = 50;

/**
 * Results of a search across every conversation of the open profile. Each hit shows where it is,
 * when, and its snippet with the matched words marked; choosing one opens the conversation at it.
 */
export function Search({ query, onOpenHit }: Props) {
  const [hits] = useResult(() => window.wardline.search.messages({ query, limit: LIMIT }));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <section className="page" aria-labelledby="search-title">
      <h2 id="search-title" className="page__title" ref={heading} tabIndex={-1}>
        Messages matching “{query}”
      </h2>
      {hits.state === 'loading' && <p role="status">Searching…</p>}
      {hits.state === 'failed' && (
        <p role="alert" className="error">
          Search failed: {hits.error.message}
        </p>
      )}
      {hits.state === 'ready' && (
        <p role="status" className="muted">
          {hits.value.length === 0 ? 'No messages found.' : hits.value.length >= LIMIT ? `The first ${LIMIT} results.` : `${plural(hits.value.length, 'result')}.`}
        </p>
      )}
      {hits.state === 'ready' && hits.value.length > 0 && (
        <ul className="hits" aria-label="Search results">
          {hits.value.map((hit) => (
            <li key={hit.messageId}>
              <button type="button" className="hit" onClick={() => onOpenHit(hit)}>
                <span className="hit__where">{hit.conversationTitle}</span>
                <time className="hit__when" dateTime={new Date(hit.sentAt).toISOString()}>
                  {fullTime(hit.sentAt)}
                </time>
                <span className="hit__snippet">
                  {hit.snippet.map((run, i) => (run.match ? <mark key={i}>{run.text}</mark> : <span key={i}>{run.text}</span>))}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
