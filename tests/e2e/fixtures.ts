import { test as base } from '@playwright/test';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface HostProcess {
  url: string;
  dataDir: string;
  process: ChildProcess;
}

/** Starts the built web host (dist/harness/host.cjs) as its own process on 127.0.0.1. */
export async function startHost(dataDir: string): Promise<HostProcess> {
  const child = spawn(process.execPath, ['dist/harness/host.cjs', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('web host did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { event?: string; url?: string };
      if (msg.event === 'web-host-ready' && msg.url) {
        clearTimeout(timer);
        resolve(msg.url);
      }
    });
  });
  return { url, dataDir, process: child };
}

export const test = base.extend<{ host: HostProcess }>({
  // Playwright reads a fixture's dependencies from the destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardline-e2e-'));
    const host = await startHost(dataDir);
    await use(host);
    host.process.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
