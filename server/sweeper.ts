/**
 * Periodic clean-up: attachments past retention or fetched by all, undelivered envelopes past
 * retention (erased, kept as tombstones), delivered-envelope tombstones
 * past the dedupe window, stale enrolment codes, expired attachment tokens.
 */
import type { AttachmentTokens } from './attachment-tokens';
import type { RelayContext } from './context';

const SWEEP_MS = 60_000;
const CODE_GRACE_MS = 30 * 24 * 3600_000;

export function startSweeper(ctx: RelayContext, tokens: AttachmentTokens): () => void {
  const sweep = async () => {
    const now = Date.now();
    try {
      await ctx.attachments.sweep(now);
      const codes = await ctx.writer.between(() => ctx.users.deleteStaleCodes(now - CODE_GRACE_MS));
      tokens.sweep(now);
      // Envelope rows belong to the writer thread, the only writer of that table.
      const tombstones = await ctx.writer.sweep(now - ctx.config.dedupeWindowMs, now - ctx.config.envelopeRetentionMs);
      if (tombstones + codes > 0) ctx.log.debug({ tombstones, codes }, 'swept');
    } catch (error) {
      ctx.log.error({ err: error }, 'sweep failed');
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
