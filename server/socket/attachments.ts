/** Socket side of attachments: grants single-use HTTP tokens (see attachments.ts). */
import type { RelayContext } from '../context';
import { onRequest } from './requests';
import type { Session } from './session';

export function registerAttachments(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'attachment.upload',
    ({ size, recipients }) => ctx.attachments.prepareUpload(session.id.deviceId, size, recipients, Date.now()),
    ctx.log,
  );
  onRequest(session, 'attachment.download', ({ id }) => ctx.attachments.prepareDownload(session.id.deviceId, id, Date.now()), ctx.log);
}
