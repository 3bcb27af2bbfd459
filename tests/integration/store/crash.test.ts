import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../main/core/store';

const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wardline-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has reported `commits` commits, then SIGKILLs it mid-burst. */
function writeThenKill(path: string, key: Uint8Array, commits: number, checkpoints: 'commit' | 'thread'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer], {
      env: { ...process.env, WARDLINE_CRASH_DB: path, WARDLINE_CRASH_KEY: Buffer.from(key).toString('hex'), WARDLINE_CRASH_CHECKPOINTS: checkpoints },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) last = Number(l);
      if (last + 1 >= commits && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited on its own (${code}): ${stderr}`));
    });
  });
}

// 'commit': SQLite checkpoints inside commits; 'thread': the app's checkpoint thread does (checkpoint/).
describe.each(['commit', 'thread'] as const)('crash safety, checkpoints by %s', (checkpoints) => {
  it('after SIGKILL in a burst of writes the database opens, passes integrity_check and lost no committed row', async () => {
    const path = join(dir, `store-${checkpoints}.db`);
    const key = new Uint8Array(randomBytes(32));
    let expectedAtLeast = -1;
    for (const commits of [150, 400, 900]) {
      const acked = await writeThenKill(path, key, commits, checkpoints);
      expect(acked).toBeGreaterThanOrEqual(commits - 1);
      // The thread was checkpointing during the burst: pages reached the database file itself.
      if (checkpoints === 'thread') expect(statSync(path).size).toBeGreaterThan(100_000);
      const store = openStore(path, key);
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        // Messages form a gap-free run 0..n-1 that includes every number the child reported.
        const n = store.messages.count();
        expect(n).toBeGreaterThan(acked);
        expect(store.messages.get(`m-${n - 1}`)).not.toBeNull();
        expect(store.messages.get(`m-${n}`)).toBeNull();
        for (let i = 0; i <= acked; i += 7) expect(store.messages.get(`m-${i}`), `m-${i}`).not.toBeNull();
        expect(n - 1).toBeGreaterThanOrEqual(expectedAtLeast);
        // Atomicity: each device's ratchet record is the one written with that device's newest
        // received message, every received message has its dedupe marker, every outgoing one its outbox entry.
        for (let device = 0; device < 50; device++) {
          let newest = -1;
          for (let i = n - 1; i >= 0; i--) {
            if (i % 50 === device && i % 3 !== 2) {
              newest = i;
              break;
            }
          }
          const record = store.sessions.get('bob', `d${device}`);
          expect(record === null ? -1 : Number(new TextDecoder().decode(record)), `device ${device}`).toBe(newest);
        }
        for (let i = Math.max(0, n - 60); i < n; i++) {
          if (i % 3 === 2) expect(store.outbox.forMessage(`m-${i}`)).toHaveLength(1);
          else expect(store.messages.findByMarker({ senderUserId: 'bob', senderDeviceId: `d${i % 50}`, senderMessageId: `s-${i}` })?.id).toBe(`m-${i}`);
        }
        expect(store.outbox.count()).toBe(Math.floor(n / 3));
        expectedAtLeast = n - 1;
      } finally {
        store.close();
      }
    }
  });
});
