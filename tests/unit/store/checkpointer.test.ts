import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStore, StoreError } from '../../../main/core/store';
import { Checkpointer } from '../../../main/core/store/checkpoint/checkpointer';
import { openEncryptedHandle } from '../../../main/core/store/connection';
import { incoming, newKey, tempDir } from './helpers';

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

// The source under tsx, and the file the app and the web host load (`npm test` builds it first).
const bundled = new URL('../../../dist/main/checkpoint-worker.cjs', import.meta.url);
const workers = [['source', undefined], ['bundled', bundled]] as const;
if (!existsSync(bundled)) console.warn('checkpointer.test: dist/main/checkpoint-worker.cjs is missing (run `npm run build`); its case fails until then');

describe('checkpoint thread', () => {
  it.each(workers)('(%s worker) copies committed pages into the database file on its own thread, and leaves no WAL once the store is closed', async (_, workerUrl) => {
    const path = join(tempDir(), 'store.db');
    const key = newKey();
    const warnings: string[] = [];
    const store = openStore(path, key, { create: true, checkpointer: { workerUrl, policy: { intervalMs: 50, rewindFrames: 32_768 }, warn: (m) => warnings.push(m) } });
    store.conversations.create({ id: 'c', kind: 'direct', title: 'T', now: 1 });
    const before = statSync(path).size;
    // A few hundred WAL pages: far below the 10,000 at which a commit would checkpoint itself,
    // so only the thread can have put them into the database file.
    for (let i = 0; i < 20; i++) store.messages.insertMany(Array.from({ length: 100 }, (_, j) => incoming('c', { id: `m-${i}-${j}`, body: `obs ${i} ${j} ${'stable '.repeat(40)}` })));
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 500_000), { timeout: 10_000, interval: 50 });
    expect(walSize(path)).toBeGreaterThan(0);

    const closing = store.close();
    // Locked at once: the store answers nothing while the thread finishes.
    expect(() => store.messages.count()).toThrow(StoreError);
    await closing;
    expect(walSize(path)).toBe(0);
    expect(warnings).toEqual([]);

    // The caller's key was copied, not taken: it opens the checkpointed file with every row.
    const again = openStore(path, key);
    expect(again.messages.count()).toBe(2_000);
    expect(again.integrityCheck()).toEqual(['ok']);
    await again.close();
  });

  it('keeps the WAL short under a writer that never pauses: the store thread copies the last frames when asked, and the log rewinds', async () => {
    const path = join(tempDir(), 'store.db');
    const key = newKey();
    const warnings: string[] = [];
    const store = openStore(path, key, { create: true, checkpointer: { policy: { intervalMs: 20, rewindFrames: 300 }, warn: (m) => warnings.push(m) } });
    store.conversations.create({ id: 'c', kind: 'direct', title: 'T', now: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the thread is up
    let longest = 0;
    for (let i = 0; i < 400; i++) {
      store.messages.insertMany(Array.from({ length: 20 }, (_, j) => incoming('c', { id: `m-${i}-${j}`, body: `obs ${i} ${j} ${'stable '.repeat(40)}` })));
      longest = Math.max(longest, walSize(path));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // 8,000 messages grow the WAL to 39.5 MB without the catch-up; rewound every ~300 frames
    // (1.2 MB) it stays a few MB (the bound leaves room for a thread slowed by a busy machine).
    expect(longest).toBeLessThan(20 * 1024 * 1024);
    expect(warnings).toEqual([]);
    await store.close();
    const again = openStore(path, key);
    expect(again.messages.count()).toBe(8_000);
    expect(again.integrityCheck()).toEqual(['ok']);
    await again.close();
  });

  it('hands checkpoints back to the store connection when the thread is lost, and reports it', async () => {
    const path = join(tempDir(), 'store.db');
    const db = openEncryptedHandle(path, newKey(), true);
    const warnings: string[] = [];
    const checkpointer = new Checkpointer(db, path, null, { workerUrl: new URL('./fixtures/failing-checkpointer.ts', import.meta.url), warn: (m) => warnings.push(m) });
    await vi.waitFor(() => expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000), { timeout: 10_000, interval: 20 });
    expect(warnings.join('\n')).toMatch(/checkpoint thread failed: the checkpoint thread lost its disk/);
    await checkpointer.stop();
    db.close();
  });

  it('a thread given the wrong key never opens the database; the store goes on checkpointing itself', async () => {
    const path = join(tempDir(), 'store.db');
    const db = openEncryptedHandle(path, newKey(), true);
    db.exec('CREATE TABLE t (x)');
    const warnings: string[] = [];
    const checkpointer = new Checkpointer(db, path, newKey(), { warn: (m) => warnings.push(m) });
    await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/checkpoint thread failed: the database key does not open this file/), { timeout: 10_000, interval: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    await checkpointer.stop();
    db.close();
  });
});
