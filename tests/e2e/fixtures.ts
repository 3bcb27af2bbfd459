import { test as base, expect } from '@playwright/test';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { addUser, cli, startRelay } from '../integration/relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../integration/relay/support/relay-process';

export interface Notification {
  title: string;
  body: string;
}

export type OsEvent = 'lock-screen' | 'suspend' | 'user-switch';

export interface HostProcess {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  /** Every desktop notification the host has printed so far, in order. */
  notifications: Notification[];
  /** Plays an OS event through the test hook (the host must have been started with testHooks). */
  osEvent(event: OsEvent): Promise<{ reason: string; wasOpen: boolean }>;
  stop(): Promise<void>;
}

export interface HostOptions {
  /** Written to a policy file for the host (`--policy-file`), e.g. { idleLockMinutes: 1 }. */
  policy?: Record<string, unknown>;
  /** Starts the host with `--test-hooks` (POST /__harness/os-event). */
  testHooks?: boolean;
  /** Runs main/core in the host's own process (`--core-in-process`): the seed hook needs it. Otherwise, as in the app, in a worker thread. */
  coreInProcess?: boolean;
}

/** Starts the built web host (dist/harness/host.cjs) as its own process on 127.0.0.1. */
export async function startHost(dataDir: string, options: HostOptions = {}): Promise<HostProcess> {
  const args = ['dist/harness/host.cjs', '--data-dir', dataDir];
  if (options.policy) {
    const policyFile = join(dataDir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(options.policy));
    args.push('--policy-file', policyFile);
  }
  if (options.testHooks) args.push('--test-hooks');
  if (options.coreInProcess) args.push('--core-in-process');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const notifications: Notification[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('web host did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { event?: string; url?: string; title?: string; body?: string };
      if (msg.event === 'web-host-ready' && msg.url) {
        clearTimeout(timer);
        resolveUrl(msg.url);
      } else if (msg.event === 'notification') {
        notifications.push({ title: String(msg.title), body: String(msg.body) });
      }
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    url,
    origin: parsed.origin,
    token,
    dataDir,
    process: child,
    notifications,
    osEvent: async (event) => {
      const res = await fetch(`${parsed.origin}/__harness/os-event?token=${encodeURIComponent(token)}`, { method: 'POST', body: JSON.stringify({ event }) });
      if (res.status !== 200) throw new Error(`os-event ${event}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as { reason: string; wasOpen: boolean };
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The real relay on 127.0.0.1 in a temporary data folder, and its administration CLI. */
export interface Relay {
  url: string;
  process: RelayProcess;
  /** `user add <username> --name <name>`: the new user and their one-time enrolment code. */
  addUser(username: string, name: string): Promise<IssuedCode>;
  /** `user code <username>`: another one-time code. */
  newCode(username: string): Promise<IssuedCode>;
}

/** One clinician's workstation as the tests see it: a web host and a browser page on it. */
export interface Workstation {
  host: HostProcess;
  page: Page;
}

export interface Fixtures {
  /** A web host without a relay (the first-screen tests). */
  host: HostProcess;
  relay: Relay;
  /** Starts a web host with its own data folder and opens it in its own browser context. */
  workstation(options?: HostOptions): Promise<Workstation>;
}

export const test = base.extend<Fixtures>({
  // Playwright reads a fixture's dependencies from the destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wardline-e2e-'));
    const host = await startHost(dataDir);
    await use(host);
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  },

  // eslint-disable-next-line no-empty-pattern
  relay: async ({}, use) => {
    const process = await startRelay();
    await use({
      url: process.url,
      process,
      addUser: (username, name) => addUser(process.dataDir, username, name),
      newCode: (username) => cli<IssuedCode>(process.dataDir, 'user', 'code', username),
    });
    await process.kill();
    rmSync(process.dataDir, { recursive: true, force: true });
  },

  workstation: async ({ browser }, use) => {
    const started: { host: HostProcess; close(): Promise<void> }[] = [];
    await use(async (options) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'wardline-e2e-'));
      const host = await startHost(dataDir, options);
      const { page, close } = await openPage(browser, host);
      started.push({
        host,
        close: async () => {
          await close();
          await host.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
      return { host, page };
    });
    for (const s of started) await s.close();
  },
});

async function openPage(browser: Browser, host: HostProcess): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Who is using this workstation?' })).toBeVisible();
  return { page, close: () => context.close() };
}

const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../docs/screenshots');

/**
 * A screenshot of a main screen: always attached to the test's output, and written to
 * docs/screenshots/<name>.png (the ones README.md shows) only with WARDLINE_SCREENSHOTS=1, so an
 * ordinary test run never changes committed files.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string, fullPage = false): Promise<void> {
  // The blinking caret and in-flight transitions would make every run's picture differ.
  const options = { animations: 'disabled', caret: 'hide', fullPage } as const;
  await page.screenshot({ ...options, path: testInfo.outputPath(`${name}.png`) });
  if (process.env.WARDLINE_SCREENSHOTS === '1') {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ ...options, path: join(SCREENSHOT_DIR, `${name}.png`) });
  }
}

export { expect };
