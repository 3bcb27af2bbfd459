import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A headless colleague (tests/harness/colleague.ts) in its own process, which a test may kill. */
export class ColleagueProcess {
  readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: { test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  readonly child: ChildProcess;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'tests/harness/colleague.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as Record<string, unknown>;
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.test(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    this.child.stderr?.on('data', (d: Buffer) => process.env.WARDLINE_DEBUG && process.stderr.write(d));
  }

  waitFor(test: (line: Record<string, unknown>) => boolean, ms = 60_000): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`colleague did not print the expected line; last: ${JSON.stringify(this.lines.slice(-3))}`)), ms);
      this.waiters.push({ test, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
