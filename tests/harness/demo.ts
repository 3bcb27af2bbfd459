import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `npm run demo`: the relay on 127.0.0.1 with its own data folder, two demo colleagues (headless
 * clients in their own processes) who answer every message, and the web host with the real
 * interface. Prints the address to open and the enrolment code for you. Ctrl+C stops everything.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = ['--import', 'tsx'];
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

function relayCli(dataDir: string, ...args: string[]): Record<string, string> {
  const out = execFileSync(process.execPath, [...TSX, 'server/main.ts', ...args, '--data', dataDir, '--json'], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, string>;
}

function start(args: string[], ready: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as Record<string, unknown>;
      if (ready(line)) done(line);
    });
  });
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'wardline-demo-'));
  const relayData = join(base, 'relay');
  const port = await freePort();
  const relayUrl = `http://127.0.0.1:${port}`;
  await start([...TSX, 'server/main.ts', '--port', String(port), '--data', relayData], (l) => l.msg === 'relay listening');

  const colleagues = [
    { username: 'priya.raman', name: 'Dr Priya Raman (Registrar, Cardiology)' },
    { username: 'tom.hale', name: 'Sister Tom Hale (Ward 7)' },
  ];
  for (const [i, c] of colleagues.entries()) {
    const issued = relayCli(relayData, 'user', 'add', c.username, '--name', c.name);
    await start(
      [...TSX, 'tests/harness/colleague.ts', '--data', join(base, c.username), '--pin', `24680${i}`, '--relay', relayUrl, '--code', issued.code!, '--reply'],
      (l) => l.event === 'ready',
    );
  }
  const you = relayCli(relayData, 'user', 'add', 'demo.clinician', '--name', 'Dr Sam Okoro (FY2, Medicine)');
  const host = await start(['dist/harness/host.cjs', '--data-dir', join(base, 'workstation')], (l) => l.event === 'web-host-ready');

  console.log(`
Wardline demo is running (everything on this machine, data in ${base}).

  1. Open:            ${String(host.url)}
  2. Add profile:     relay address ${relayUrl}
                      enrolment code ${you.code}
                      choose a PIN of at least 6 digits
  3. New conversation: search "Raman" or "Hale"; they answer every message.

More enrolment codes (another workstation, another clinician):
  node --import tsx server/main.ts user add <username> --name "<name>" --data ${relayData}

Press Ctrl+C to stop.`);
}

const stop = () => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
void main().catch((err: unknown) => {
  console.error(err);
  stop();
});
