/**
 * How CLI revocations reach live sockets: the CLI writes to the shared SQLite file and appends an
 * admin event; the relay polls that table (one indexed query per --admin-poll-ms, default 1 s) and
 * disconnects the device or user at once. Polling needs no admin port to secure and also works
 * when the relay was down while the CLI ran (authentication checks the database anyway).
 */
import type { AttachmentTokens } from './attachment-tokens';
import type { RelayContext } from './context';
import { wipeOrderFor } from './wipe';

export function watchAdminEvents(ctx: RelayContext, tokens: AttachmentTokens): () => void {
  let last = ctx.devices.lastAdminEventSeq();
  const timer = setInterval(() => {
    try {
      for (const event of ctx.devices.adminEventsAfter(last)) {
        last = event.seq;
        ctx.writer.adminEvent(event);
        if (event.kind === 'device_revoked') {
          ctx.registry.kickDevice(event.target, 'revoked', (deviceId, userId) => wipeOrderFor(ctx, deviceId, userId, 'revoked'));
          tokens.revokeDevice(event.target);
          ctx.log.info({ deviceId: event.target }, 'device revoked: disconnected');
        } else {
          ctx.registry.kickUser(event.target, (deviceId, userId) => wipeOrderFor(ctx, deviceId, userId, 'user_disabled'));
          ctx.log.info({ userId: event.target }, 'user disabled: devices disconnected');
        }
      }
    } catch (error) {
      ctx.log.error({ err: error }, 'admin event poll failed');
    }
  }, ctx.config.adminPollMs);
  timer.unref();
  return () => clearInterval(timer);
}
