import { StoreError } from './errors';

/**
 * Page cursors are opaque to callers: "<sortAt>.<seq>" of the last message on the page. seq breaks
 * ties between messages with the same timestamp, so paging never skips or repeats a message.
 */
export interface CursorPosition {
  sortAt: number;
  seq: number;
}

export function encodeCursor(p: CursorPosition): string {
  return `${p.sortAt}.${p.seq}`;
}

const CURSOR = /^(-?\d{1,16})\.(\d{1,16})$/;

export function decodeCursor(cursor: string): CursorPosition {
  const m = CURSOR.exec(cursor);
  const sortAt = m ? Number(m[1]) : NaN;
  const seq = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(sortAt) || !Number.isSafeInteger(seq)) {
    throw new StoreError('invalid', 'malformed page cursor');
  }
  return { sortAt, seq };
}
