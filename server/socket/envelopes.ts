/**
 * Store-and-forward requests. A send batch is refused as a whole (nothing stored) for an oversized
 * envelope or an exhausted rate allowance; otherwise each envelope gets its own result (stored,
 * duplicate, or rejected for an unknown recipient or a full queue). The ack comes only after the
 * group commit (envelope-writer.ts).
 */
import { base64ByteLength } from '../../protocol/relay';
import type { RelayContext } from '../context';
import { RelayFailure } from '../failure';
import { TokenBucket } from '../rate-limit';
import { onRequest } from './requests';
import type { Session } from './session';

export function registerEnvelopes(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'envelope.send',
    async ({ envelopes }) => {
      const sender = session.id;
      const limit = ctx.config.maxEnvelopeBytes;
      const oversized = envelopes.findIndex((envelope) => base64ByteLength(envelope.payload) > limit);
      if (oversized >= 0) {
        throw new RelayFailure('envelope_too_large', `envelopes[${oversized}] is over ${limit} bytes; send large content as an attachment`);
      }
      const wait = envelopeBucket(ctx, sender.deviceId).take(Date.now(), envelopes.length);
      if (wait > 0) throw new RelayFailure('rate_limited', 'envelope rate limit reached', wait);
      return { results: await ctx.writer.send(sender, envelopes) };
    },
    ctx.log,
  );

  onRequest(
    session,
    'envelope.ack',
    async ({ ids }) => {
      // The delivery window frees at once; the erase is committed with the next batch. Should that
      // commit fail, the envelopes simply stay queued and come again on the next connection.
      ctx.delivery.acked(session, ids);
      return { acked: await ctx.writer.ack(session.id.deviceId, ids) };
    },
    ctx.log,
  );
}

/** Per sending device; group requests (groups.ts) draw from the same allowance. */
export function envelopeBucket(ctx: RelayContext, deviceId: string): TokenBucket {
  let bucket = ctx.envelopeBuckets.get(deviceId);
  if (!bucket) {
    bucket = new TokenBucket(ctx.config.rateEnvelopes, ctx.config.rateBurst);
    ctx.envelopeBuckets.set(deviceId, bucket);
  }
  return bucket;
}
