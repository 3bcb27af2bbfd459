/**
 * Prekey bundles, uploads and the low-prekey warning. A device is told (prekeys.low) when a fetch
 * takes its one-time prekeys below the threshold, and again on its next authentication while they
 * stay low, so it can upload more before sessions fall back to the last-resort key.
 */
import type { PrekeyCounts } from '../../protocol/relay';
import type { RelayContext } from '../context';
import { RelayFailure } from '../failure';
import { oneTimePrekeyOutput, prekeyInput, prekeyOutput } from '../prekey-input';
import { onRequest } from './requests';
import type { Session } from './session';

/** Beyond this many unused one-time prekeys per kind an upload is refused. */
export const MAX_STORED_ONE_TIME_PREKEYS = 1000;

export function prekeyCounts(ctx: RelayContext, deviceId: string): PrekeyCounts {
  const { ec, pq } = ctx.prekeys.counts(deviceId);
  return { oneTimePrekeys: ec, pqOneTimePrekeys: pq, lowThreshold: ctx.config.prekeyLowThreshold };
}

export function registerPrekeys(session: Session, ctx: RelayContext): void {
  onRequest(
    session,
    'prekeys.bundle',
    async ({ deviceIds }) => {
      // Every requested device's bundle in one transaction, so the request waits for one turn
      // beside the envelope writer, not one per device.
      const consume = ctx.db.transaction((ids: string[]) =>
        ids.map((deviceId) => {
          const { device } = ctx.devices.status(deviceId);
          return { deviceId, device, consumed: device ? ctx.prekeys.consumeBundle(deviceId) : undefined };
        }),
      );
      const found = await ctx.writer.between(() => consume.immediate([...new Set(deviceIds)]));
      const bundles = [];
      const missing = [];
      for (const { deviceId, device, consumed } of found) {
        if (!device || !consumed) {
          missing.push(deviceId);
          continue;
        }
        bundles.push({
          userId: device.userId,
          deviceId,
          identityKey: device.identityKey.toString('base64'),
          certificate: device.certificate.toString('base64'),
          signedPrekey: prekeyOutput(consumed.signedPrekey),
          oneTimePrekey: consumed.oneTimePrekey ? oneTimePrekeyOutput(consumed.oneTimePrekey) : null,
          pqPrekey: prekeyOutput(consumed.pqPrekey),
          pqPrekeyIsLastResort: consumed.pqPrekeyIsLastResort,
        });
        warnIfCrossedLow(ctx, deviceId);
      }
      return { bundles, missing };
    },
    ctx.log,
  );

  onRequest(
    session,
    'prekeys.upload',
    async (request) => {
      const { deviceId } = session.id;
      const now = Date.now();
      const store = ctx.db.transaction(() => {
        const { ec, pq } = ctx.prekeys.counts(deviceId);
        const addEc = request.oneTimePrekeys?.length ?? 0;
        const addPq = request.pqOneTimePrekeys?.length ?? 0;
        if (ec + addEc > MAX_STORED_ONE_TIME_PREKEYS || pq + addPq > MAX_STORED_ONE_TIME_PREKEYS) {
          throw new RelayFailure('limit_exceeded', `at most ${MAX_STORED_ONE_TIME_PREKEYS} unused one-time prekeys of each kind`);
        }
        if (request.signedPrekey) ctx.prekeys.setSigned(deviceId, 'ec', prekeyInput(request.signedPrekey), now);
        if (request.pqLastResortPrekey) ctx.prekeys.setSigned(deviceId, 'pq_last_resort', prekeyInput(request.pqLastResortPrekey), now);
        if (request.oneTimePrekeys) ctx.prekeys.addOneTime(deviceId, 'ec', request.oneTimePrekeys.map(prekeyInput));
        if (request.pqOneTimePrekeys) ctx.prekeys.addOneTime(deviceId, 'pq', request.pqOneTimePrekeys.map(prekeyInput));
      });
      await ctx.writer.between(() => store.immediate());
      return { prekeys: prekeyCounts(ctx, deviceId) };
    },
    ctx.log,
  );

  onRequest(session, 'prekeys.status', () => ({ prekeys: prekeyCounts(ctx, session.id.deviceId) }), ctx.log);
}

/** A fetch takes at most one key of each kind, so "crossed" means "now exactly one below". */
function warnIfCrossedLow(ctx: RelayContext, deviceId: string): void {
  const counts = prekeyCounts(ctx, deviceId);
  const crossed = counts.oneTimePrekeys === counts.lowThreshold - 1 || counts.pqOneTimePrekeys === counts.lowThreshold - 1;
  if (crossed) ctx.registry.get(deviceId)?.socket.emit('prekeys.low', counts);
}
