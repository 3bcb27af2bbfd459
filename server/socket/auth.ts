/**
 * Challenge-response authentication. On connect the relay sends 32 fresh random bytes; the
 * device signs authChallengeMessage(origin, deviceId, nonce) with its Ed25519 identity key. The
 * challenge is consumed by the first answer, right or wrong, and expires with the auth timeout,
 * so a captured answer cannot be replayed on this socket or any other (each has its own nonce).
 */
import { randomBytes } from 'node:crypto';
import { authChallengeMessage } from '../../protocol/relay';
import type { RelayContext } from '../context';
import { verifies } from '../enrolment';
import { RelayFailure } from '../failure';
import { wipeOrderFor } from '../wipe';
import { prekeyCounts } from './prekeys';
import { onRequest } from './requests';
import type { Session } from './session';

export function sendChallenge(session: Session, ctx: RelayContext): void {
  const nonce = randomBytes(32);
  const expiresAt = Date.now() + ctx.config.authTimeoutMs;
  session.challenge = { nonce, expiresAt };
  session.socket.emit('auth.challenge', { nonce: nonce.toString('base64'), origin: ctx.origin, expiresAt });
  const timer = setTimeout(() => {
    if (!session.device) session.socket.disconnect(true);
  }, ctx.config.authTimeoutMs);
  session.socket.once('disconnect', () => clearTimeout(timer));
}

export function registerAuth(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'auth.prove',
    (request) => {
      if (session.device) throw new RelayFailure('already_authenticated', 'this socket is already authenticated');
      try {
        return prove(request.deviceId, Buffer.from(request.signature, 'base64'));
      } catch (error) {
        // One attempt per socket: a failed proof closes it (after the refusal is sent).
        setImmediate(() => session.socket.disconnect(true));
        throw error;
      }
    },
    ctx.log,
  );

  function prove(deviceId: string, signature: Buffer) {
    const challenge = session.challenge;
    session.challenge = undefined;
    const now = Date.now();
    if (!challenge || challenge.expiresAt <= now) throw new RelayFailure('auth_failed', 'challenge expired or already answered; reconnect');
    const { status, device, former } = ctx.devices.status(deviceId);
    if (status === 'revoked' || status === 'user_disabled') {
      // A revoked device that proves it holds its key is told to erase itself, and nothing else.
      if (former && verifies(signature, authChallengeMessage(ctx.origin, deviceId, challenge.nonce), former.identityKey)) {
        session.socket.emit('device.revoked', { deviceId, reason: status === 'revoked' ? 'revoked' : 'user_disabled', wipe: wipeOrderFor(ctx, deviceId, former.userId, status) });
      }
      if (status === 'revoked') throw new RelayFailure('device_revoked', 'this device has been revoked');
      throw new RelayFailure('user_disabled', 'this user is disabled');
    }
    if (!device) throw new RelayFailure('auth_failed', 'signature does not verify');
    if (!verifies(signature, authChallengeMessage(ctx.origin, deviceId, challenge.nonce), device.identityKey)) {
      ctx.log.warn({ deviceId, socketId: session.socket.id }, 'auth signature refused');
      throw new RelayFailure('auth_failed', 'signature does not verify');
    }
    session.device = { deviceId, userId: device.userId };
    ctx.pendingAuth.authenticated(session.socket.request);
    ctx.registry.attach(session);
    ctx.writer.touch(deviceId, now);
    ctx.log.debug({ deviceId, socketId: session.socket.id }, 'device authenticated');
    const prekeys = prekeyCounts(ctx, deviceId);
    // After the ack has been queued: the client sees its auth result before its first delivery.
    setImmediate(() => {
      if (!session.connected) return;
      if (prekeys.oneTimePrekeys < prekeys.lowThreshold || prekeys.pqOneTimePrekeys < prekeys.lowThreshold) {
        session.socket.emit('prekeys.low', prekeys);
      }
      ctx.delivery.start(session);
    });
    return { userId: device.userId, deviceId, prekeys };
  }
}
