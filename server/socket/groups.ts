/**
 * Group requests (issue 10). group.send stores one sender-key message for many devices: uploaded
 * once, queued and delivered per device exactly like an envelope.send envelope. group.commit
 * stores a membership change's per-device envelopes only if it names the group's head epoch, so
 * the relay orders each group's changes. Both are refused whole for an oversized payload or an
 * exhausted rate allowance, and acknowledged only after the group commit (envelope-writer.ts).
 */
import { base64ByteLength } from '../../protocol/relay';
import type { RelayContext } from '../context';
import { RelayFailure } from '../failure';
import { envelopeBucket } from './envelopes';
import { onRequest } from './requests';
import type { Session } from './session';

/**
 * Rate cost of a group request. One token per device would make a message to a 200-device group
 * cost 200 of a 1000 burst; the relay's work is mostly per request (one upload, one decode), and
 * queue caps still bound what any one recipient can be sent.
 */
export function groupCost(devices: number): number {
  return 1 + Math.ceil(devices / 50);
}

export function registerGroups(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'group.send',
    async (message) => {
      const sender = session.id;
      const limit = ctx.config.maxEnvelopeBytes;
      if (base64ByteLength(message.payload) > limit) {
        throw new RelayFailure('envelope_too_large', `payload is over ${limit} bytes; send large content as an attachment`);
      }
      take(ctx, sender.deviceId, groupCost(message.recipients.length));
      return { results: await ctx.writer.sendGroup(sender, message) };
    },
    ctx.log,
  );

  onRequest(
    session,
    'group.commit',
    async ({ groupId, epoch, envelopes }) => {
      const sender = session.id;
      const limit = ctx.config.maxEnvelopeBytes;
      const oversized = envelopes.findIndex((envelope) => base64ByteLength(envelope.payload) > limit);
      if (oversized >= 0) {
        throw new RelayFailure('envelope_too_large', `envelopes[${oversized}] is over ${limit} bytes; send large content as an attachment`);
      }
      take(ctx, sender.deviceId, groupCost(envelopes.length));
      try {
        return await ctx.writer.commitGroupChange(sender, { groupId, epoch }, envelopes);
      } catch (error) {
        if (error instanceof RelayFailure && error.code === 'stale_epoch') {
          ctx.log.debug({ deviceId: sender.deviceId, epoch, head: error.epoch }, 'stale group commit refused');
        }
        throw error;
      }
    },
    ctx.log,
  );
}

function take(ctx: RelayContext, deviceId: string, cost: number): void {
  const wait = envelopeBucket(ctx, deviceId).take(Date.now(), cost);
  if (wait > 0) throw new RelayFailure('rate_limited', 'envelope rate limit reached', wait);
}
