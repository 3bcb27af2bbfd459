import { useCallback, useState } from 'react';
import type { DragEvent } from 'react';
import type { MessageView } from '../../../protocol/models';
import { AttachmentViewer } from '../components/AttachmentViewer';
import type { OpenedAttachment } from '../components/AttachmentViewer';
import { Composer } from '../components/Composer';
import type { Upload } from '../components/Composer';
import { MessageList } from '../components/MessageList';
import { useMessages } from '../hooks/useMessages';
import type { Transfers } from '../hooks/useTransfers';
import { call } from '../lib/call';
import { checkSize, makeThumbnail, readAsBase64 } from '../lib/files';

export interface ConversationHeader {
  id: string;
  title: string;
  peerUserId: string | null;
  verified: boolean;
}

interface Props {
  conversation: ConversationHeader;
  /** Open scrolled to this message, highlighted (from search). */
  focusMessageId: string | null;
  transfers: Transfers;
  allowSave: boolean;
  onOpenContact(userId: string): void;
}

let uploadKeys = 0;

/** One conversation: its header, the virtualised messages, and the composer. */
export function Conversation({ conversation, focusMessageId, transfers, allowSave, onOpenContact }: Props) {
  const { id, title } = conversation;
  const { state, loadOlder, upsert, retryFirstPage } = useMessages(id, focusMessageId);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<ReadonlySet<string>>(() => new Set());
  const [viewer, setViewer] = useState<OpenedAttachment | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [followSignal, setFollowSignal] = useState(0);
  const [dragging, setDragging] = useState(false);
  const loadOlderPage = useCallback(() => void loadOlder(), [loadOlder]);

  const sendText = useCallback(
    async (text: string, urgent: boolean) => {
      const result = await call(() => window.wardline.messages.send({ conversationId: id, text, ...(urgent ? { urgent } : {}) }));
      if (!result.ok) return result.error.message;
      upsert(result.value);
      setFollowSignal((n) => n + 1);
      return null;
    },
    [id, upsert],
  );

  const sendFiles = useCallback(
    (files: File[]) => {
      setFileError(null);
      for (const file of files) {
        const tooBig = checkSize(file);
        if (tooBig) {
          setFileError(tooBig);
          continue;
        }
        const key = `upload-${++uploadKeys}`;
        setUploads((u) => [...u, { key, name: file.name || 'attachment', size: file.size }]);
        void (async () => {
          const [read, thumbnail] = await Promise.all([readAsBase64(file), makeThumbnail(file)]);
          const result = read.ok
            ? await call(() =>
                window.wardline.attachments.send({
                  conversationId: id,
                  name: read.file.name,
                  mimeType: read.file.mimeType,
                  data: read.file.data,
                  ...(thumbnail ? { thumbnail } : {}),
                }),
              )
            : null;
          setUploads((u) => u.filter((x) => x.key !== key));
          if (!read.ok) return setFileError(read.message);
          if (!result?.ok) return setFileError(`"${file.name}" was not sent: ${result?.error.message ?? ''}`);
          upsert(result.value);
          setFollowSignal((n) => n + 1);
        })();
      }
    },
    [id, upsert],
  );

  const acknowledge = useCallback(
    async (message: MessageView) => {
      const result = await call(() => window.wardline.messages.acknowledge({ messageId: message.id }));
      if (result.ok) upsert(result.value);
      else setActionError(`Not acknowledged: ${result.error.message}`);
    },
    [upsert],
  );

  const retry = useCallback(
    async (message: MessageView) => {
      setRetrying((s) => new Set(s).add(message.id));
      const result = await call(() => window.wardline.messages.retry({ messageId: message.id }));
      setRetrying((s) => {
        const next = new Set(s);
        next.delete(message.id);
        return next;
      });
      if (result.ok) upsert(result.value);
      else setActionError(`Still not sent: ${result.error.message}`);
    },
    [upsert],
  );

  const openAttachment = useCallback(async (message: MessageView) => {
    if (!message.attachment) return;
    const attachmentId = message.attachment.id;
    setActionError(null);
    const result = await call(() => window.wardline.attachments.open({ attachmentId }));
    if (result.ok) setViewer(result.value);
    else setActionError(`“${message.attachment.name}” could not be opened: ${result.error.message}`);
  }, []);

  function onDragOver(event: DragEvent) {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }

  function onDrop(event: DragEvent) {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    setDragging(false);
    sendFiles([...event.dataTransfer.files]);
  }

  return (
    <section
      className={`conversation ${dragging ? 'is-dragging' : ''}`}
      aria-labelledby="conversation-title"
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <header className="conversation__header">
        <h2 id="conversation-title" className="conversation__title">
          {title}
        </h2>
        {conversation.verified ? (
          <span className="badge badge--verified">Verified</span>
        ) : (
          <span className="badge">Not verified</span>
        )}
        {conversation.peerUserId && (
          <button type="button" className="button button--quiet conversation__contact" onClick={() => onOpenContact(conversation.peerUserId!)}>
            Contact and safety number
          </button>
        )}
      </header>
      {state.seek === 'seeking' && (
        <p className="notice" role="status">
          Finding the message… ({state.messages.length.toLocaleString('en-GB')} loaded)
        </p>
      )}
      {state.seek === 'missing' && (
        <p className="notice" role="status">
          That message is no longer in this conversation.
        </p>
      )}
      {actionError && (
        <p className="notice notice--error" role="alert">
          {actionError}
        </p>
      )}
      {state.phase === 'loading' && (
        <p className="conversation__placeholder" role="status">
          Loading messages…
        </p>
      )}
      {state.phase === 'failed' && (
        <div className="conversation__placeholder" role="alert">
          <p className="error">Messages could not be loaded: {state.error?.message}</p>
          <button type="button" className="button" onClick={retryFirstPage}>
            Try again
          </button>
        </div>
      )}
      {state.phase === 'ready' && state.messages.length === 0 && (
        <p className="conversation__placeholder">No messages yet. Say hello to {title}.</p>
      )}
      {state.phase === 'ready' && state.messages.length > 0 && state.seek !== 'seeking' && (
        <MessageList
          title={title}
          messages={state.messages}
          hasMore={state.hasMore}
          loadingOlder={state.loadingOlder}
          olderError={state.olderError}
          onLoadOlder={loadOlderPage}
          highlightId={state.seek === 'found' ? focusMessageId : null}
          transfers={transfers}
          retrying={retrying}
          onRetry={retry}
          onAcknowledge={acknowledge}
          onOpenAttachment={openAttachment}
          followSignal={followSignal}
        />
      )}
      <Composer
        recipient={title}
        onSendText={sendText}
        onSendFiles={sendFiles}
        uploads={uploads}
        fileError={fileError}
        autoFocus={!focusMessageId}
      />
      {dragging && (
        <div className="dropzone" aria-hidden="true">
          Drop to send to {title}
        </div>
      )}
      {viewer && <AttachmentViewer file={viewer} allowSave={allowSave} onClose={() => setViewer(null)} />}
    </section>
  );
}
