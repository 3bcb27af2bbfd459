/** Measurement helpers shared by bench:store (store.ts) and its app phase (store-app.ts). */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The p-th percentile of `xs` (nearest rank); NaN for none. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export interface Stall {
  maxMs: number;
  p99Ms: number;
}

/**
 * The longest time this thread's event loop could not run a 1 ms timer while `work` ran: what a
 * click or an IPC message would have waited for. Brackets the work with short sleeps so a block
 * that starts before the first tick is still seen.
 */
export async function stallDuring(work: () => Promise<unknown>): Promise<Stall> {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  await sleep(20);
  await work();
  await sleep(20);
  clearInterval(timer);
  return { maxMs: Math.max(0, ...gaps), p99Ms: pct(gaps, 99) };
}
