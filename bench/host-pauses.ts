/**
 * How often the machine itself stops running this process's threads. One thread per CPU spins,
 * reading the clock; any gap between two reads longer than PAUSE_MS is time the CPU was taken
 * away (by the hypervisor on a shared virtual machine, or by another process). Run while nothing
 * else of the benchmark runs, it is the floor under every latency tail measured afterwards: a
 * message in flight during a pause waits for it, whatever the server does.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface HostPauses {
  /** Spinning threads (one per CPU) and how long each spun. */
  threads: number;
  seconds: number;
  /** Pauses over PAUSE_MS per thread per second. */
  perSecond: number;
  /** The longest pause any thread saw, ms. */
  maxMs: number;
  /** Share of the spinning time lost to pauses, percent. */
  lostPercent: number;
}

const PAUSE_MS = 2;

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const gaps = [];
const end = performance.now() + workerData.ms;
let last = performance.now();
for (let now = last; now < end; now = performance.now()) {
  if (now - last > ${PAUSE_MS}) gaps.push(now - last);
  last = now;
}
parentPort.postMessage(gaps);
`;

export async function measureHostPauses(seconds = 3, threads = os.availableParallelism()): Promise<HostPauses> {
  const runs = Array.from({ length: threads }, () => {
    const worker = new Worker(SPIN, { eval: true, workerData: { ms: seconds * 1000 } });
    return new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).finally(() => void worker.terminate());
  });
  const gaps = (await Promise.all(runs)).flat();
  const lost = gaps.reduce((sum, gap) => sum + gap, 0);
  return {
    threads,
    seconds,
    perSecond: gaps.length / threads / seconds,
    maxMs: Math.max(0, ...gaps),
    lostPercent: (100 * lost) / (threads * seconds * 1000),
  };
}
