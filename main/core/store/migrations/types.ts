import type { SqliteHandle } from '../connection';

/**
 * One schema step. `up` runs inside the runner's transaction together with the user_version bump,
 * so a crash mid-migration leaves the database at the previous version, never in between.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: SqliteHandle): void;
}
