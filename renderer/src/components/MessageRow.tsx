import { memo, useEffect, useRef } from 'react';
import type { MessageView, TransferProgress } from '../../../protocol/models';
import { isImage } from '../lib/files';
import { clockTime, dayLabel, fileSize, fullTime } from '../lib/format';
import { StatusMark } from './StatusMark';

interface Props {
  message: MessageView;
  /** Starts a new calendar day: the row carries the day's heading. */
  newDay: boolean;
  highlighted: boolean;
  transfer: TransferProgress | undefined;
  retrying: boolean;
  onRetry(message: MessageView): void;
  onAcknowledge(message: MessageView): void;
  onOpenAttachment(message: MessageView): void;
  /** Select mode (for export): each message has a check box. */
  selecting: boolean;
  selected: boolean;
  onToggleSelected(message: MessageView): void;
}

/** One message, safety notice or attachment, with its day heading when the day changes. */
export const MessageRow = memo(function MessageRow(props: Props) {
  const { message, newDay, highlighted, transfer, retrying, onRetry, onAcknowledge, onOpenAttachment } = props;
  const ref = useRef<HTMLDivElement>(null);
  // A search result opens here: focus it so keyboard and screen-reader users land on it too.
  useEffect(() => {
    if (highlighted) ref.current?.focus({ preventScroll: true });
  }, [highlighted]);

  const when = (
    <time className="msg__time" dateTime={new Date(message.sentAt).toISOString()} title={fullTime(message.sentAt)}>
      {clockTime(message.sentAt)}
    </time>
  );

  return (
    <>
      {newDay && (
        <h3 className="day">
          <span>{dayLabel(message.sentAt)}</span>
        </h3>
      )}
      {message.kind === 'system' ? (
        <div className={`sysline ${highlighted ? 'is-highlighted' : ''}`} ref={ref} tabIndex={highlighted ? -1 : undefined}>
          <p className="sysline__text">{message.text}</p>
          {when}
        </div>
      ) : message.kind === 'safety' ? (
        <div className={`safety ${highlighted ? 'is-highlighted' : ''}`} ref={ref} tabIndex={highlighted ? -1 : undefined}>
          <svg className="safety__icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M8 1l6 2.5v4c0 3.6-2.6 6.4-6 7.5-3.4-1.1-6-3.9-6-7.5v-4z" fill="none" stroke="currentColor" strokeWidth="1.5" />
          </svg>
          <p className="safety__text">
            <span className="sr-only">Security notice: </span>
            {message.text}
          </p>
          {when}
        </div>
      ) : (
        <div
          className={`msg ${message.fromMe ? 'msg--mine' : 'msg--theirs'} ${message.mentionsMe ? 'msg--mention' : ''} ${message.status === 'failed' ? 'msg--failed' : ''} ${highlighted ? 'is-highlighted' : ''} ${props.selecting ? 'is-selecting' : ''} ${props.selected ? 'is-selected' : ''}`}
          ref={ref}
          tabIndex={highlighted ? -1 : undefined}
        >
          {props.selecting && (
            <label className="msg__select">
              <input type="checkbox" checked={props.selected} onChange={() => props.onToggleSelected(message)} />
              <span className="sr-only">
                Select message from {message.fromMe ? 'you' : message.senderName} at {clockTime(message.sentAt)}
              </span>
            </label>
          )}
          <div className="msg__bubble">
            <p className={message.fromMe ? 'sr-only' : 'msg__sender'}>{message.fromMe ? 'You' : message.senderName}</p>
            {message.urgent && <p className="msg__urgent">Urgent</p>}
            {message.mentionsMe && <p className="msg__mention">Mentions you</p>}
            {message.attachment && (
              <Attachment message={message} transfer={transfer} onOpen={() => onOpenAttachment(message)} />
            )}
            {message.text && <p className="msg__text">{message.text}</p>}
            <p className="msg__meta">
              {when}
              {message.fromMe && <StatusMark status={message.status} />}
            </p>
            {message.receipts && <Receipts receipts={message.receipts} />}
            {message.urgent && message.acknowledgedAt !== null && (
              <p className="msg__acknowledged">
                Acknowledged{message.fromMe ? '' : ' by you'} at <time dateTime={new Date(message.acknowledgedAt).toISOString()}>{clockTime(message.acknowledgedAt)}</time>
              </p>
            )}
            {message.urgent && message.acknowledgedAt === null && !message.fromMe && (
              <button type="button" className="button button--small button--primary" onClick={() => onAcknowledge(message)}>
                Acknowledge
              </button>
            )}
          </div>
          {message.status === 'failed' && message.fromMe && (
            <p className="msg__failed" role="group" aria-label="Message not sent">
              <span>Not sent.</span>
              <button type="button" className="button button--small" onClick={() => onRetry(message)} disabled={retrying}>
                {retrying ? 'Retrying…' : 'Retry'}
              </button>
            </p>
          )}
        </div>
      )}
    </>
  );
});

/** "Read by 12 of 15" under our own group message; nothing until the first member's workstation has it. */
function Receipts({ receipts }: { receipts: NonNullable<MessageView['receipts']> }) {
  const { read, of } = receipts;
  // A read receipt may arrive before the delivery one: whoever read it has it.
  const delivered = Math.max(receipts.delivered, read);
  if (of === 0 || delivered === 0) return null;
  const text = read >= of ? `Read by ${read} of ${of}` : `Delivered to ${delivered} of ${of}${read > 0 ? ` · Read by ${read} of ${of}` : ''}`;
  return <p className="msg__receipts">{text}</p>;
}

function Attachment({ message, transfer, onOpen }: { message: MessageView; transfer: TransferProgress | undefined; onOpen(): void }) {
  const attachment = message.attachment!;
  const image = isImage(attachment.mimeType);
  const moving = transfer ?? null;
  const busy = attachment.state === 'uploading' || attachment.state === 'downloading' || moving !== null;
  const verb = moving?.direction === 'download' || attachment.state === 'downloading' ? 'Downloading' : 'Uploading';
  return (
    <div className="attachment">
      <button type="button" className={`attachment__open ${image ? 'attachment__open--image' : ''}`} onClick={onOpen} disabled={attachment.state === 'failed'}>
        {image && attachment.thumbnail ? (
          <img className="attachment__thumb" src={attachment.thumbnail} alt="" />
        ) : (
          <svg className="attachment__icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M4 1h5l4 4v10H4z M9 1v4h4" fill="none" stroke="currentColor" strokeWidth="1.3" />
          </svg>
        )}
        <span className="attachment__label">
          <span className="sr-only">{image ? 'Open image ' : 'Open file '}</span>
          <span className="attachment__name">{attachment.name}</span>
          <span className="attachment__size">{fileSize(attachment.size)}</span>
        </span>
      </button>
      {busy && (
        <div className="transfer">
          <progress
            className="transfer__bar"
            max={moving && moving.total > 0 ? moving.total : undefined}
            value={moving && moving.total > 0 ? moving.loaded : undefined}
            aria-label={`${verb} ${attachment.name}`}
          />
          <span className="transfer__text">
            {verb}
            {moving && moving.total > 0 ? ` ${Math.floor((moving.loaded / moving.total) * 100)}%` : '…'}
          </span>
        </div>
      )}
      {attachment.state === 'failed' && <p className="error">This file could not be transferred.</p>}
    </div>
  );
}
