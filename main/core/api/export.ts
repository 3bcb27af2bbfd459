import { encodeBase64 } from '../../../protocol/relay';
import type { Core } from '../core';
import { conversationPdf } from '../export/conversation';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { conversationView, messageView } from './views';

/**
 * Export to the patient record: exactly the messages the clinician chose, as a PDF. Refused when
 * the organisation's policy forbids export; every export is written to the workstation's access
 * log and the profile's own before the file is handed over.
 */
export function exportHandlers(core: Core): Pick<Handlers, 'messages.export'> {
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
      const pdf = conversationPdf({ conversationTitle: conversationView(open, summary).title, exportedBy: open.account.displayName, at, messages });
      await core.workstation.audit.exported(open.session, { conversationId, messageCount: messages.length });
      return { fileName: pdf.fileName, mimeType: 'application/pdf', data: encodeBase64(pdf.data) };
    },
  };
}
