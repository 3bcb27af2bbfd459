/** Directory look-ups for the new-conversation screen and for session set-up. */
import type { RelayContext } from '../context';
import { RelayFailure } from '../failure';
import { onRequest } from './requests';
import type { Session } from './session';

export function registerDirectory(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'directory.search',
    ({ query, limit }) => ({
      users: ctx.users.search(query, limit).map((user) => ({ userId: user.id, username: user.username, displayName: user.displayName })),
    }),
    ctx.log,
  );

  onRequest(
    session,
    'directory.user',
    ({ userId }) => {
      const user = ctx.users.byId(userId);
      // A disabled user is answered like an unknown one: no name for someone who has left.
      return { user: user && user.disabledAt === null ? { userId: user.id, username: user.username, displayName: user.displayName } : null };
    },
    ctx.log,
  );

  onRequest(
    session,
    'directory.devices',
    ({ userId }) => {
      const user = ctx.users.byId(userId);
      if (!user || user.disabledAt !== null) throw new RelayFailure('unknown_user', 'no such active user');
      return {
        userId,
        devices: ctx.devices.activeForUser(userId).map((device) => ({
          deviceId: device.id,
          identityKey: device.identityKey.toString('base64'),
          certificate: device.certificate.toString('base64'),
        })),
      };
    },
    ctx.log,
  );
}
