import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DragEvent } from 'react';
import type { MessageView } from '../../../protocol/models';
import { AttachmentViewer } from '../components/AttachmentViewer';
import type { OpenedAttachment } from '../components/AttachmentViewer';
import { Composer } from '../components/Composer';
import { DisappearingControl, TimerBadge } from '../components/DisappearingControl';
import { ExportBar } from '../components/ExportBar';
import type { Upload } from '../components/Composer';
import { MembersPanel } from '../components/MembersPanel';
import { MessageList } from '../components/MessageList';
import { useGroup } from '../hooks/useGroup';
import { useMessages } from '../hooks/useMessages';
import type { Transfers } from '../hooks/useTransfers';
import { call } from '../lib/call';
import { checkSize, makeThumbnail, readAsBase64 } from '../lib/files';

export interface ConversationHeader {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  peerUserId: string | null;
  verified: boolean;
  /** A group's member count from the conversation list; null for a direct conversation. */
  memberCount: number | null;
  /** The disappearing-messages timer (0 = off) and the policy's longest one (null until the list has said). */
  disappearingSeconds: number;
  disappearingMaxSeconds: number | null;
}

interface Props {
  conversation: ConversationHeader;
  /** Open scrolled to this message, highlighted (from search). */
  focusMessageId: string | null;
  transfers: Transfers;
  allowSave: boolean;
  /** Policy: may messages be exported to PDF? Select mode says so when not. */
  allowExport: boolean;
  /** The clinician's own user id: "(you)" in a group's member list, and not offered as a mention. */
  myUserId: string;
  onOpenContact(userId: string): void;
}

let uploadKeys = 0;

/** One conversation: its header, the virtualised messages (with select mode for export), and the composer. */
export function Conversation({ conversation, focusMessageId, transfers, allowSave, allowExport, myUserId, onOpenContact }: Props) {
  const { id } = conversation;
  const isGroup = conversation.kind === 'group';
  const { state, loadOlder, upsert, retryFirstPage } = useMessages(id, focusMessageId);
  const [group, setGroup] = useGroup(id, isGroup);
  const [membersOpen, setMembersOpen] = useState(false);
  const groupView = group.state === 'ready' ? group.value : null;
  // A rename shows at once here; the list follows on conversations.changed.
  const title = groupView?.name ?? conversation.title;
  const mentionable = useMemo(
    () => (groupView ? groupView.members.filter((m) => m.userId !== myUserId).map((m) => ({ userId: m.userId, displayName: m.displayName })) : null),
    [groupView, myUserId],
  );
  // Our own change shows at once; a colleague's arrives with the list (conversations.changed).
  const [timer, setTimer] = useState(conversation.disappearingSeconds);
  useEffect(() => setTimer(conversation.disappearingSeconds), [conversation.disappearingSeconds]);
  const left = groupView !== null && groupView.myRole === null;
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<ReadonlySet<string>>(() => new Set());
  const [viewer, setViewer] = useState<OpenedAttachment | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [followSignal, setFollowSignal] = useState(0);
  const [dragging, setDragging] = useState(false);
  const loadOlderPage = useCallback(() => void loadOlder(), [loadOlder]);
  // Select mode: null when off; otherwise the chosen message ids, in the order they were checked.
  const [selection, setSelection] = useState<ReadonlySet<string> | null>(null);
  const toggleSelected = useCallback((message: MessageView) => {
    setSelection((s) => {
      if (!s) return s;
      const next = new Set(s);
      if (!next.delete(message.id)) next.add(message.id);
      return next;
    });
  }, []);
  // A chosen message that left the list (deleted, expired) is no longer chosen.
  const chosen = useMemo(() => {
    if (!selection || selection.size === 0) return [];
    const present = new Set(state.messages.map((m) => m.id));
    return [...selection].filter((id) => present.has(id));
  }, [selection, state.messages]);

  const sendText = useCallback(
    async (text: string, urgent: boolean, mentions: string[]) => {
      const result = await call(() =>
        window.wardline.messages.send({ conversationId: id, text, ...(urgent ? { urgent } : {}), ...(mentions.length > 0 ? { mentions } : {}) }),
      );
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
        {isGroup ? (
          <button type="button" className="button button--small conversation__members" onClick={() => setMembersOpen(true)} disabled={!groupView}>
            Members
            <span className="conversation__count">{groupView?.members.length ?? conversation.memberCount ?? ''}</span>
          </button>
        ) : conversation.verified ? (
          <span className="badge badge--verified">Verified</span>
        ) : (
          <span className="badge">Not verified</span>
        )}
        {left ? (
          timer > 0 && <TimerBadge seconds={timer} />
        ) : (
          <DisappearingControl
            conversationId={id}
            seconds={timer}
            maxSeconds={conversation.disappearingMaxSeconds}
            disabled={isGroup && !groupView}
            onChanged={(c) => setTimer(c.disappearingSeconds)}
          />
        )}
        {conversation.peerUserId && (
          <button type="button" className="button button--quiet conversation__contact" onClick={() => onOpenContact(conversation.peerUserId!)}>
            Contact and safety number
          </button>
        )}
        <button
          type="button"
          className="button button--small conversation__select"
          aria-pressed={selection !== null}
          onClick={() => setSelection((s) => (s ? null : new Set()))}
          disabled={state.messages.length === 0 && selection === null}
        >
          Select
        </button>
      </header>
      {selection && <ExportBar conversationId={id} selected={chosen} allowExport={allowExport} onClose={() => setSelection(null)} />}
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
      {group.state === 'failed' && (
        <p className="notice notice--error" role="alert">
          The group’s members could not be loaded: {group.error.message}
        </p>
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
          selection={selection}
          onToggleSelected={toggleSelected}
          followSignal={followSignal}
        />
      )}
      {groupView && groupView.myRole === null ? (
        <p className="composer composer--readonly" role="note">
          You are no longer a member of {title}: you can read what was sent before, but not send to the group. An admin can add you again.
        </p>
      ) : (
        <Composer
          recipient={title}
          onSendText={sendText}
          onSendFiles={sendFiles}
          uploads={uploads}
          fileError={fileError}
          autoFocus={!focusMessageId}
          mentionable={isGroup ? (mentionable ?? []) : null}
          direct={!isGroup}
        />
      )}
      {membersOpen && groupView && <MembersPanel group={groupView} myUserId={myUserId} onChanged={setGroup} onClose={() => setMembersOpen(false)} />}
      {dragging && (
        <div className="dropzone" aria-hidden="true">
          Drop to send to {title}
        </div>
      )}
      {viewer && <AttachmentViewer file={viewer} allowSave={allowSave} onClose={() => setViewer(null)} />}
    </section>
  );
}
