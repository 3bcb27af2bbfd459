import { isImage, saveFile } from '../lib/files';
import { fileSize } from '../lib/format';
import { Dialog } from './Dialog';

export interface OpenedAttachment {
  name: string;
  mimeType: string;
  /** base64, from attachments.open. */
  data: string;
}

interface Props {
  file: OpenedAttachment;
  /** Policy: may a clinician keep a copy outside Wardline? */
  allowSave: boolean;
  onClose(): void;
}

/**
 * Shows a decrypted picture in a modal dialog (as a data: URL, which the CSP allows for images),
 * or describes a file that cannot be previewed. Closing or locking unmounts it, and with it the
 * only copy of the decrypted bytes the renderer had.
 */
export function AttachmentViewer({ file, allowSave, onClose }: Props) {
  const image = isImage(file.mimeType);
  const bytes = Math.floor((file.data.length * 3) / 4) - (file.data.endsWith('==') ? 2 : file.data.endsWith('=') ? 1 : 0);

  return (
    <Dialog title={file.name} onClose={onClose} className={image ? 'dialog--viewer' : ''}>
      {image ? (
        <img className="viewer__image" src={`data:${file.mimeType};base64,${file.data}`} alt={file.name} />
      ) : (
        <p>
          {file.mimeType}, {fileSize(bytes)}. Wardline cannot show this kind of file here.
        </p>
      )}
      <p className="viewer__actions">
        {allowSave ? (
          <button type="button" className="button" onClick={() => saveFile(file)}>
            Save a copy
          </button>
        ) : (
          <span className="muted">Saving files outside Wardline is turned off by your organisation.</span>
        )}
      </p>
    </Dialog>
  );
}
