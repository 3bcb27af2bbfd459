import { signWipeOrder } from '../protocol/wipe';
import type { RelayContext } from './context';

/**
 * The wipe order for a revoked device or a disabled user's device, signed with the directory
 * key: the device verifies it against the key it pinned and crypto-erases its profile. It is only
 * ever sent to the device it names (a live socket being closed, or a revoked device that just
 * proved it holds its identity key).
 */
export function wipeOrderFor(ctx: Pick<RelayContext, 'directoryKey'>, deviceId: string, userId: string, reason: 'revoked' | 'user_disabled'): string {
  return Buffer.from(signWipeOrder({ userId, deviceId, reason, issuedAt: Date.now() }, ctx.directoryKey.secretKey)).toString('base64');
}
