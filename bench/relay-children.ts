/**
 * bench:relay's server processes (the relay and the bare echo server): started with preloads that
 * report memory after a full GC and the main thread's event-loop stalls, and read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RELAY_NODE_FLAGS } from '../tests/integration/relay/support/relay-process';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Starts a server (`args`: a script, relative to the repository root, and its flags) under tsx,
 * with the two preloads below and the relay's production Node flags (package.json's relay
 * script): the relay as it is deployed, and the bare server on the same terms. Emits 'gcmem' and
 * 'loop' for their reports; other stderr passes on.
 */
export function startChild(args: string[]): ChildProcess {
  // BENCH_RELAY_CPU_PROFILE=<dir> writes V8 CPU profiles of the relay's threads there.
  const profile = process.env.BENCH_RELAY_CPU_PROFILE;
  const extra = profile && args[0] === 'server/main.ts' ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...extra, ...RELAY_NODE_FLAGS, '--expose-gc', '--import', GC_ON_SIGUSR2, '--import', LOOP_DELAY, '--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('GCMEM ')) child.emit('gcmem', JSON.parse(line.slice(6)) as NodeJS.MemoryUsage);
      else if (line.startsWith('LOOP ')) child.emit('loop', Number(line.slice(5)));
      else process.stderr.write(`${line}\n`);
    }
  });
  return child;
}

/** Preloaded into each server: on SIGUSR2, a full GC, then memory use reported on stderr. */
const GC_ON_SIGUSR2 =
  'data:text/javascript,process.on("SIGUSR2",()=>{globalThis.gc();process.stderr.write("GCMEM "+JSON.stringify(process.memoryUsage())+"\\n")})';

/**
 * Preloaded into each server: every second, the main thread's longest event-loop stall in that
 * second (ms, beyond the 10 ms sampling interval) on stderr. Worker threads inherit the preload
 * and skip it: their loops block on commits by design.
 */
const LOOP_DELAY = `data:text/javascript,${encodeURIComponent(
  'import{monitorEventLoopDelay}from"node:perf_hooks";import{isMainThread}from"node:worker_threads";' +
    'if(isMainThread){const h=monitorEventLoopDelay({resolution:10});h.enable();' +
    'setInterval(()=>{process.stderr.write("LOOP "+Math.max(0,h.max/1e6-10).toFixed(1)+"\\n");h.reset()},1000).unref()}',
)}`;

/** Main-thread heap (V8 heap + buffers) after a full GC. */
export async function settledHeap(child: ChildProcess): Promise<number> {
  const reported = new Promise<NodeJS.MemoryUsage>((resolve) => child.once('gcmem', resolve));
  child.kill('SIGUSR2');
  const usage = await reported;
  return usage.heapUsed + usage.external;
}

/** The port a server listens on: from its port file, or the first JSON line it prints. */
export async function readPort(child: ChildProcess, portFile?: string): Promise<number> {
  if (portFile) {
    while (!fs.existsSync(portFile)) await sleep(50);
    return Number(fs.readFileSync(portFile, 'utf8'));
  }
  return new Promise((resolve) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString().split('\n')[0] ?? '{}') as { port: number }).port));
  });
}

/** CPU time (user + system) the process has used, in milliseconds: contention-proof cost. */
export function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, USER_HZ = 100
}

/** The process's resident memory, from /proc. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}
