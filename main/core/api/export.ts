import { encodeBase64 } from '../../../protocol/relay';
import type { Core } from '../core';
import { conversationPdf } from '../export/conversation';
import { pdfImage } from '../export/images';
import type { PdfImage } from '../export/images';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { conversationView, messageView } from './views';

/**
 * Export to the patient record: exactly the messages the clinician chose, as a PDF. Refused when
 * the organisation's policy forbids export; every export is written to the workstation's access
 * log and the profile's own before the file is handed over. Afterwards the clinician may delete
 * the exported messages from this workstation (messages.delete).
 */
export function exportHandlers(core: Core): Pick<Handlers, 'messages.export' | 'messages.delete'> {
  return {
    'messages.export': async ({ conversationId, messageIds }) => {
      if (!core.policy.current().values.allowExport) {
        throw new ApiError('policy_forbids', 'Your organisation does not allow exporting conversations from Wardline.');
      }
      const open = core.runtime.requireOpen();
      const summary = open.store.conversations.list().find((c) => c.id === conversationId);
      if (!summary) throw new ApiError('not_found', 'That conversation does not exist.');
      const records = [...new Set(messageIds)].map((id) => open.store.messages.get(id));
      if (records.some((m) => !m || m.conversationId !== conversationId)) {
        throw new ApiError('not_found', 'Some of those messages are not in this conversation.');
      }
      const messages = records.map((m) => m!).sort((a, b) => a.sortAt - b.sortAt).map((m) => messageView(open, m));
      const at = (core.options.runtime?.now ?? Date.now)();
      // Pictures go in when their decrypted bytes are on this workstation; otherwise the name line says what was sent.
      const images = new Map<string, PdfImage>();
      for (const m of messages) {
        const a = m.attachment;
        if (!a || a.state !== 'ready' || !/^image\/(jpeg|png)$/i.test(a.mimeType)) continue;
        const content = open.store.attachments.getContent(a.id);
        const image = content ? pdfImage(content) : null;
        if (image) images.set(m.id, image);
      }
      const pdf = conversationPdf({ conversationTitle: conversationView(open, summary).title, exportedBy: open.account.displayName, at, messages, images });
      await core.workstation.audit.exported(open.session, { conversationId, messageCount: messages.length });
      return { fileName: pdf.fileName, mimeType: 'application/pdf', data: encodeBase64(pdf.data) };
    },
    /**
     * "Transcribe into the record, then delete": removes the messages from this workstation's
     * store only (other members keep theirs). Their attachments and outbox entries cascade, their
     * words leave the search index in merge steps right after (engine.deleteMessages); the WAL is
     * checkpointed now and after the merge, so the freed pages left are the zeroed ones (secure_delete).
     */
    'messages.delete': ({ conversationId, messageIds }) => {
      const open = core.runtime.requireOpen();
      const ids = [...new Set(messageIds)];
      if (ids.some((id) => open.store.messages.get(id)?.conversationId !== conversationId)) {
        throw new ApiError('not_found', 'Some of those messages are not in this conversation.');
      }
      const deleted = open.engine.deleteMessages(ids);
      open.store.checkpoint();
      // A deleted urgent message stops alerting: there is nothing left to acknowledge.
      for (const id of ids) core.workstation.urgent.acknowledged(id);
      open.store.accessLog.append({ at: Date.now(), event: 'messages_deleted', detail: JSON.stringify({ conversationId, messageCount: deleted }) });
      core.events.emit('messages.removed', { messageIds: ids });
      core.events.emit('conversations.changed', open.store.conversations.list().map((c) => conversationView(open, c)));
      return { deleted };
    },
  };
}
