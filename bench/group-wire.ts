/**
 * The messages between `npm run bench:group` (bench/group.ts) and its member hosts
 * (bench/group-host.ts), over the IPC channel of child_process.fork. Each side parses what it
 * receives here, once, so a malformed message fails loudly instead of stalling a wait.
 * Times (`at`) are wall-clock milliseconds, performance.timeOrigin + performance.now(): both
 * processes run on one machine, so they compare to well under a millisecond.
 */
import { z } from 'zod';

const user = z.object({ userId: z.string(), username: z.string(), displayName: z.string(), code: z.string() });

/** bench -> host. */
export const ToHost = z.discriminatedUnion('type', [
  /**
   * Enrol these users on the relay, then answer `ready`. `relayPid`: the relay process, which the
   * host ends if the bench vanishes without closing it (SIGKILL), as nothing else would. `tmpDir`:
   * where the members' stores go, inside the run's folder that the bench removes however it ends.
   */
  z.object({ type: z.literal('enrol'), relayUrl: z.string(), tmpDir: z.string(), relayPid: z.number().int().positive(), users: z.array(user), batch: z.number().int().positive() }),
  /** Answer `joined` once every member has the group. */
  z.object({ type: z.literal('watchJoin'), gid: z.string() }),
  /** Answer `watching` now, then `stored` once every member not in `except` has stored `text`. */
  z.object({ type: z.literal('watchText'), gid: z.string(), text: z.string(), except: z.array(z.string()) }),
  /** Answer `count`: how many of `userIds` (of this host's members) have stored `text`. */
  z.object({ type: z.literal('count'), gid: z.string(), text: z.string(), userIds: z.array(z.string()) }),
  /** Answer `idle` once every member's outbox is empty. */
  z.object({ type: z.literal('idle') }),
  /** Close every member, answer `closed`, exit. */
  z.object({ type: z.literal('close') }),
]);
export type ToHost = z.infer<typeof ToHost>;

/** host -> bench. */
export const FromHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), userIds: z.array(z.string()) }),
  z.object({ type: z.literal('joined'), gid: z.string(), count: z.number(), at: z.number() }),
  z.object({ type: z.literal('watching'), text: z.string() }),
  z.object({ type: z.literal('stored'), text: z.string(), count: z.number(), at: z.number() }),
  z.object({ type: z.literal('count'), text: z.string(), n: z.number() }),
  z.object({ type: z.literal('idle') }),
  /** Engine problems (dropped, refused, failed) its members logged, one event name each. */
  z.object({ type: z.literal('closed'), problems: z.array(z.string()) }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type FromHost = z.infer<typeof FromHost>;

/** Wall-clock milliseconds with performance.now()'s resolution, comparable across processes. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
