/**
 * Runs the real relay (server/main.ts) as a child process on 127.0.0.1 with a random port, and
 * the real CLI against its data folder. stdout is kept so tests can inspect the logs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/**
 * The Node flags `npm run relay` gives the relay (package.json's relay script; today
 * --single-threaded-gc, see server/README.md), so that tests and benchmarks run it as deployed.
 */
export const RELAY_NODE_FLAGS = relayNodeFlags();

function relayNodeFlags(): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = (scripts.relay ?? '').split(/\s+/);
  // --import tsx is in ENTRY; anything else that is a flag is the relay's.
  return withoutImports(words.slice(0, words.indexOf('server/main.ts'))).filter((word) => word.startsWith('--'));
}

/** Node command-line arguments without the `--import <module>` pairs (loaders, not settings). */
export function withoutImports(args: string[]): string[] {
  return args.filter((arg, i) => arg !== '--import' && args[i - 1] !== '--import');
}

const ENTRY = [...RELAY_NODE_FLAGS, '--import', 'tsx', 'server/main.ts'];
const run = promisify(execFile);

export interface RelayProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the relay wrote to stdout so far. */
  output(): string;
  /** Ends the process with the given signal and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const tempDirs: string[] = [];
// Registered once per test file (each file imports this module afresh): remove its data folders.
// Only under Vitest: benchmarks and the Playwright fixtures import this module too.
if (process.env.VITEST) {
  afterAll(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wardline-relay-test-'));
  tempDirs.push(dir);
  return dir;
}

export async function startRelay(options: { dataDir?: string; args?: string[] } = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [...ENTRY, '--port', '0', '--data', dataDir, '--admin-poll-ms', '200', ...(options.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 30_000);
    const check = () => {
      const first = stdout.split('\n')[0];
      if (!first || !stdout.includes('\n')) return;
      child.stdout?.off('data', check);
      clearTimeout(timer);
      const line = JSON.parse(first) as { msg: string; port: number };
      if (line.msg === 'relay listening') resolve(line.port);
      else reject(new Error(`unexpected first log line: ${first}`));
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output: () => stdout,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Runs a CLI command with --json and returns its parsed output. */
export async function cli<T = unknown>(dataDir: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [...ENTRY, ...args, '--data', dataDir, '--json'], { cwd: ROOT });
  return JSON.parse(stdout) as T;
}

/** Runs the relay entry point with arbitrary arguments and reports how it ended. */
export async function runEntry(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...ENTRY, ...args], { cwd: ROOT, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

export interface IssuedCode {
  userId: string;
  username: string;
  code: string;
  expiresAt: string;
}

export function addUser(dataDir: string, username: string, name: string, ...extra: string[]): Promise<IssuedCode> {
  return cli<IssuedCode>(dataDir, 'user', 'add', username, '--name', name, ...extra);
}
