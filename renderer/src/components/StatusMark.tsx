import type { MessageStatus } from '../../../protocol/models';

const LABEL: Record<MessageStatus, string> = {
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

/** Ticks as in every messenger clinicians know, always with the word for screen readers. */
export function StatusMark({ status }: { status: MessageStatus }) {
  return (
    <span className={`status status--${status}`} title={LABEL[status]}>
      <svg viewBox="0 0 20 12" aria-hidden="true" className="status__icon">
        {status === 'pending' && <circle cx="10" cy="6" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />}
        {status === 'pending' && <path d="M10 3.5V6l1.8 1.2" fill="none" stroke="currentColor" strokeWidth="1.4" />}
        {status === 'failed' && <path d="M10 1.5v6M10 9.5v1" stroke="currentColor" strokeWidth="2" />}
        {(status === 'sent' || status === 'delivered' || status === 'read') && (
          <path d="M1.5 6.5l3 3 6-7" fill="none" stroke="currentColor" strokeWidth="1.8" />
        )}
        {(status === 'delivered' || status === 'read') && <path d="M7.5 8.5l1 1 6-7" fill="none" stroke="currentColor" strokeWidth="1.8" />}
      </svg>
      <span className="sr-only">{LABEL[status]}</span>
    </span>
  );
}
