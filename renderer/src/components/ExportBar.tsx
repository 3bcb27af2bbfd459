import { useId, useState } from 'react';
import { call } from '../lib/call';
import { saveFile } from '../lib/files';
import { Dialog } from './Dialog';

/** The contract's limit for one export (protocol/contract.ts, messages.export); main checks it again. */
const MAX_EXPORT = 500;

interface Props {
  conversationId: string;
  /** Selected message ids, in the order they were chosen (main sorts them by time). */
  selected: readonly string[];
  /** Policy: allowExport. */
  allowExport: boolean;
  /** Leaves select mode (Cancel, or done after an export). */
  onClose(): void;
}

/**
 * Select mode's toolbar: how many messages are chosen, "Export to PDF" and Cancel. After an
 * export the file is handed to the host's downloads (like "Save a copy" of an attachment) and
 * the clinician is offered to delete those messages from this workstation: the usual "write it
 * into the patient record, then delete" practice.
 */
export function ExportBar({ conversationId, selected, allowExport, onClose }: Props) {
  const reasonId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<{ fileName: string; messageIds: string[] } | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const count = selected.length;
  const reason = !allowExport
    ? 'Your organisation does not allow exporting messages from Wardline.'
    : count === 0
      ? 'Choose the messages to export with their check boxes.'
      : count > MAX_EXPORT
        ? `At most ${MAX_EXPORT} messages can be exported at once.`
        : null;

  async function exportPdf() {
    setBusy(true);
    setError(null);
    const messageIds = [...selected];
    const result = await call(() => window.wardline.messages.export({ conversationId, messageIds }));
    setBusy(false);
    if (!result.ok) return setError(`Not exported: ${result.error.message}`);
    saveFile({ name: result.value.fileName, mimeType: result.value.mimeType, data: result.value.data });
    setExported({ fileName: result.value.fileName, messageIds });
  }

  async function deleteExported() {
    if (!exported) return;
    setBusy(true);
    setDeleteError(null);
    const result = await call(() => window.wardline.messages.delete({ conversationId, messageIds: exported.messageIds }));
    setBusy(false);
    if (!result.ok) return setDeleteError(`Not deleted: ${result.error.message}`);
    setExported(null);
    onClose();
  }

  return (
    <div className="exportbar" role="toolbar" aria-label="Selected messages">
      <p className="exportbar__count" role="status">
        {count} selected
      </p>
      <button type="button" className="button button--primary" onClick={() => void exportPdf()} disabled={busy || reason !== null} aria-describedby={reason ? reasonId : undefined}>
        {busy && !exported ? 'Exporting…' : 'Export to PDF'}
      </button>
      <button type="button" className="button" onClick={onClose}>
        Cancel
      </button>
      {reason && (
        <p id={reasonId} className="exportbar__reason muted">
          {reason}
        </p>
      )}
      {error && (
        <p className="exportbar__reason error" role="alert">
          {error}
        </p>
      )}
      {exported && (
        <Dialog title="Exported to PDF" onClose={() => { setExported(null); onClose(); }}>
          <p>
            {exported.messageIds.length} message{exported.messageIds.length === 1 ? '' : 's'} saved as {exported.fileName}. Once they are in the
            patient record, you can delete them from this workstation. Your colleagues keep their copies.
          </p>
          {deleteError && (
            <p className="error" role="alert">
              {deleteError}
            </p>
          )}
          <p className="actions">
            <button type="button" className="button button--danger" onClick={() => void deleteExported()} disabled={busy}>
              Delete exported messages from this workstation
            </button>
            <button type="button" className="button" data-autofocus onClick={() => { setExported(null); onClose(); }}>
              Keep them
            </button>
          </p>
        </Dialog>
      )}
    </div>
  );
}
