import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import type { Core } from '../core';
import type { Handlers } from './dispatch';
import { ApiError } from './errors';
import { messageView } from './views';

export function attachmentHandlers(core: Core): Pick<Handlers, 'attachments.send' | 'attachments.open'> {
  return {
    'attachments.send': ({ conversationId, name, mimeType, data, thumbnail }) => {
      const open = core.runtime.requireOpen();
      const conversation = open.store.conversations.get(conversationId);
      if (!conversation) throw new ApiError('not_found', 'That conversation does not exist.');
      if (conversation.kind === 'group' && open.engine.groups.info(conversationId).myRole === null) {
        throw new ApiError('not_member', 'You are no longer a member of this group.');
      }
      let bytes: Uint8Array;
      try {
        bytes = decodeBase64(data);
      } catch {
        throw new ApiError('invalid_input', 'The file could not be read.');
      }
      if (bytes.length === 0) throw new ApiError('invalid_input', 'The file is empty.');
      const preview = thumbnail && mimeType.startsWith('image/') ? decodeBase64(thumbnail) : null;
      return messageView(open, open.engine.sendAttachment(conversationId, { name, mimeType, data: bytes, thumbnail: preview }));
    },
    'attachments.open': ({ attachmentId }) => {
      const open = core.runtime.requireOpen();
      const record = open.store.attachments.get(attachmentId);
      const content = record ? open.store.attachments.getContent(attachmentId) : null;
      if (!record || !content || record.state !== 'stored') throw new ApiError('not_found', 'That attachment is not available yet.');
      open.store.accessLog.append({ at: Date.now(), event: 'attachment_opened', detail: JSON.stringify({ attachmentId }) });
      return { mimeType: record.mimeType, name: record.fileName, data: encodeBase64(content) };
    },
  };
}
