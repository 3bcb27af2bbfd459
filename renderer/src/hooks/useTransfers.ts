import { useEffect, useState } from 'react';
import type { TransferProgress } from '../../../protocol/models';

export type Transfers = ReadonlyMap<string, TransferProgress>;

/**
 * Upload and download progress by attachment id, from attachments.progress. A finished transfer
 * is dropped, so the map holds only what is moving now.
 */
export function useTransfers(): Transfers {
  const [transfers, setTransfers] = useState<Transfers>(() => new Map());
  useEffect(
    () =>
      window.wardline.attachments.onProgress((progress) =>
        setTransfers((current) => {
          const next = new Map(current);
          if (progress.total > 0 && progress.loaded >= progress.total) next.delete(progress.attachmentId);
          else next.set(progress.attachmentId, progress);
          return next;
        }),
      ),
    [],
  );
  return transfers;
}
