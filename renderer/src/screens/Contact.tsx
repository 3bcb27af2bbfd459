import { useEffect, useRef, useState } from 'react';
import type { ContactView } from '../../../protocol/models';
import { Avatar } from '../components/Avatar';
import { QrCode } from '../components/QrCode';
import { useResult } from '../hooks/useResult';
import { call } from '../lib/call';
import { fullTime } from '../lib/format';

interface Props {
  userId: string;
  onBack(): void;
  /** Verification changed: the conversation list's "Verified" badges must follow. */
  onVerifiedChanged(): void;
}

/**
 * A contact's identity: the safety number both sides must see the same (as 12 groups of 5 digits
 * and as a QR code to scan), their devices, and "mark as verified" once they match.
 */
export function Contact({ userId, onBack, onVerifiedChanged }: Props) {
  const [loaded, , setContact] = useResult(() => window.wardline.contacts.get({ userId }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const ready = loaded.state === 'ready';
  useEffect(() => {
    if (ready) heading.current?.focus();
  }, [ready]);

  async function setVerified(contact: ContactView, verified: boolean) {
    setBusy(true);
    setError(null);
    const result = await call(() => window.wardline.contacts.setVerified({ userId: contact.userId, verified }));
    setBusy(false);
    if (result.ok) {
      setContact(result.value);
      onVerifiedChanged();
    } else setError(result.error.message);
  }

  return (
    <section className="page contact" aria-labelledby="contact-title">
      <button type="button" className="button button--quiet" onClick={onBack}>
        ← Back to the conversation
      </button>
      {loaded.state === 'loading' && <p role="status">Loading contact…</p>}
      {loaded.state === 'failed' && (
        <p role="alert" className="error">
          This contact could not be loaded: {loaded.error.message}
        </p>
      )}
      {loaded.state === 'ready' && (
        <>
          <header className="contact__header">
            <Avatar name={loaded.value.displayName} size="l" />
            <div>
              <h2 id="contact-title" className="page__title" ref={heading} tabIndex={-1}>
                {loaded.value.displayName}
              </h2>
              <p className="muted">{loaded.value.username}</p>
            </div>
            <span className={`badge ${loaded.value.verified ? 'badge--verified' : ''}`}>{loaded.value.verified ? 'Verified' : 'Not verified'}</span>
          </header>

          <h3>Safety number</h3>
          <p className="contact__explain">
            Meet {loaded.value.displayName} or call them, and check that their Wardline shows the same numbers, or scan the code
            with their workstation’s camera. If they match, no one is listening in.
          </p>
          <div className="contact__safety">
            <SafetyDigits value={loaded.value.safetyNumber} />
            <QrCode value={loaded.value.safetyQr} label={`QR code of the safety number with ${loaded.value.displayName}`} />
          </div>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            {loaded.value.verified ? (
              <button type="button" className="button" disabled={busy} onClick={() => void setVerified(loaded.value, false)}>
                Clear verification
              </button>
            ) : (
              <button type="button" className="button button--primary" disabled={busy} onClick={() => void setVerified(loaded.value, true)}>
                Mark as verified
              </button>
            )}
          </div>

          <h3>Devices</h3>
          <ul className="devices">
            {loaded.value.devices.map((d) => (
              <li key={d.deviceId} className={d.changed ? 'devices__changed' : ''}>
                <span className="devices__id">Device {d.deviceId.slice(0, 8)}</span> · added {fullTime(d.addedAt)}
                {d.changed && <strong> · New since you verified: check the safety number again</strong>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** 60 digits as 12 groups of 5 in a 4-column grid, read aloud group by group. */
function SafetyDigits({ value }: { value: string }) {
  const digits = value.replace(/\D/g, '');
  const groups = digits.match(/.{1,5}/g) ?? [];
  return (
    <ol className="safety-number" aria-label="Safety number, 12 groups of 5 digits">
      {groups.map((g, i) => (
        <li key={i}>{g}</li>
      ))}
    </ol>
  );
}
