import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, RetentionSweeper, SWEEP_EVERY_MS } from '../../../main/core/messaging/retention';
import { openStore } from '../../../main/core/store';
import type { Store } from '../../../main/core/store';
import { applyConnectionSettings, openEncryptedHandle } from '../../../main/core/store/connection';
import type { SqliteHandle } from '../../../main/core/store/connection';
import { bindStore } from '../../../main/core/store/store';
import { incoming, newKey, tempDir } from '../store/helpers';
import { FakeTimers } from '../workstation/fake-timers';

const CANARY_TEXT = 'Canary: potassium 6.9 for zqxjkvcanary in bed 12';
const CANARY_WORD = 'zqxjkvcanary';
const CANARY_BLOB = Buffer.from('CANARY-BLOB-8d1c-wound-photo-bytes');
const CANARY_THUMB = Buffer.from('CANARY-THUMB-55e2-preview-bytes');
const canaries = [Buffer.from(CANARY_TEXT), Buffer.from(CANARY_WORD), CANARY_BLOB, CANARY_THUMB];

/**
 * The same profile database twice: as Wardline opens it (SQLCipher), and as a plain SQLite file
 * with the same connection settings, because only in plaintext can a test see that the bytes of
 * a deleted message are gone from the file rather than merely encrypted.
 */
const variants = [
  {
    name: 'encrypted store',
    plaintext: false,
    open(dir: string) {
      const key = newKey();
      const path = join(dir, 'store.db');
      return { store: openStore(path, key, { create: true }), reopen: () => openEncryptedHandle(path, key, false) };
    },
  },
  {
    name: 'plain SQLite with the same settings',
    plaintext: true,
    open(dir: string) {
      const path = join(dir, 'store.db');
      const plain = (): SqliteHandle => {
        const db = new Database(path) as unknown as SqliteHandle;
        applyConnectionSettings(db);
        return db;
      };
      return { store: bindStore(plain()), reopen: plain };
    },
  },
];

const open: { close(): void }[] = [];
afterEach(() => {
  while (open.length) open.pop()?.close();
});

function filesContainingCanary(dir: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    if (canaries.some((c) => bytes.includes(c))) hits.push(name);
  }
  return hits;
}

/** Every row of every table, FTS shadow tables included, as bytes. */
function tablesContainingCanary(db: SqliteHandle): string[] {
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as { name: string }[]).map((t) => t.name);
  const hits: string[] = [];
  for (const table of tables) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      for (const value of Object.values(row)) {
        const bytes = typeof value === 'string' ? Buffer.from(value) : value instanceof Uint8Array ? Buffer.from(value) : null;
        if (bytes && canaries.some((c) => bytes.includes(c))) hits.push(table);
      }
    }
  }
  return [...new Set(hits)];
}

function seed(store: Store, now: number): { canaryId: string; freshId: string; marker: { senderUserId: string; senderDeviceId: string; senderMessageId: string } } {
  store.conversations.create({ id: 'c1', kind: 'direct', title: 'Bob', now: now - 40 * DAY_MS, members: ['bob@ward'] });
  const old = now - 31 * DAY_MS;
  const canary = incoming('c1', { id: 'canary', body: CANARY_TEXT, sentAt: old, receivedAt: old });
  const marker = { senderUserId: canary.senderUserId, senderDeviceId: canary.senderDeviceId, senderMessageId: canary.senderMessageId };
  expect(store.storeReceived({ message: canary, sessionUpdate: { userId: 'bob@ward', deviceId: 'd1', record: new Uint8Array([1]) }, dedupeMarker: marker, now: old })).toBe('stored');
  store.attachments.add({ id: 'a-canary', messageId: 'canary', fileName: 'wound.jpg', mimeType: 'image/jpeg', size: CANARY_BLOB.length, sha256: new Uint8Array(32), state: 'pending', createdAt: old, pointer: null, thumbnail: CANARY_THUMB });
  store.attachments.putContent('a-canary', CANARY_BLOB);
  const fresh = incoming('c1', { id: 'fresh', body: 'Bloods back, all normal', sentAt: now - DAY_MS, receivedAt: now - DAY_MS });
  store.messages.insert(fresh);
  return { canaryId: 'canary', freshId: 'fresh', marker };
}

describe.each(variants)('retention sweep ($name)', (variant) => {
  it('deletes a message older than retentionDays with its attachment, thumbnail and search entry from every table and file, keeps newer ones and the dedupe marker', async () => {
    const dir = tempDir();
    const timers = new FakeTimers();
    const { store, reopen } = variant.open(dir);
    open.push(store);
    const { canaryId, freshId, marker } = seed(store, timers.now());
    expect(store.search.messages(CANARY_WORD)).toHaveLength(1);
    if (variant.plaintext) {
      // The control: before the sweep the canary's bytes are on disk (database or WAL), so the check below can see them.
      expect(filesContainingCanary(dir).length).toBeGreaterThan(0);
      const db = reopen();
      expect(tablesContainingCanary(db)).toEqual(expect.arrayContaining(['messages', 'attachments', 'attachment_blobs', 'messages_fts_data']));
      db.close();
    }

    const swept: unknown[] = [];
    const sweeper = new RetentionSweeper({ store, retentionDays: () => 30, timers, swept: (r) => swept.push(r) });
    sweeper.start();
    open.push({ close: () => sweeper.stop() });
    await sweeper.sweep();

    expect(swept).toEqual([{ messages: 1, attachments: 1 }]);
    expect(store.messages.get(canaryId)).toBeNull();
    expect(store.attachments.get('a-canary')).toBeNull();
    expect(store.attachments.getContent('a-canary')).toBeNull();
    expect(store.search.messages(CANARY_WORD)).toEqual([]);
    expect(store.messages.get(freshId)?.body).toBe('Bloods back, all normal');
    expect(store.search.messages('bloods').map((h) => h.messageId)).toEqual([freshId]);
    // The marker stays: the relay re-delivering the expired envelope must not bring it back.
    expect(store.messages.hasMarker(marker)).toBe(true);
    expect(store.storeReceived({ message: incoming('c1', { id: 'again', ...marker, body: CANARY_TEXT }), sessionUpdate: { userId: 'bob@ward', deviceId: 'd1', record: new Uint8Array([2]) }, dedupeMarker: marker, now: timers.now() })).toBe('duplicate');

    // Checkpointed: the WAL is empty while the profile is still open, and nothing on disk holds the canary.
    expect(filesContainingCanary(dir)).toEqual([]);
    const wal = readdirSync(dir).find((n) => n.endsWith('-wal'));
    if (wal) expect(readFileSync(join(dir, wal)).length).toBe(0);
    store.close();
    expect(filesContainingCanary(dir)).toEqual([]);
    const db = reopen();
    expect(tablesContainingCanary(db)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe('retention schedule', () => {
  it('sweeps at start and every hour, reading the policy each time; 0 keeps everything', () => {
    const dir = tempDir();
    const timers = new FakeTimers();
    const store = openStore(join(dir, 'store.db'), newKey(), { create: true });
    open.push(store);
    store.conversations.create({ id: 'c1', kind: 'direct', title: 'Bob', now: 0 });
    let days = 0;
    const sweeper = new RetentionSweeper({ store, retentionDays: () => days, timers });
    open.push({ close: () => sweeper.stop() });
    // 2 days and 1 hour + 1 minute old now; 3 days old after the next day.
    const at = timers.now() - 2 * DAY_MS - SWEEP_EVERY_MS - 60_000;
    store.messages.insert(incoming('c1', { id: 'm1', sentAt: at, receivedAt: at }));
    sweeper.start();
    expect(store.messages.count()).toBe(1);
    days = 3;
    timers.advance(SWEEP_EVERY_MS);
    expect(store.messages.count()).toBe(1);
    days = 2;
    timers.advance(SWEEP_EVERY_MS);
    expect(store.messages.count()).toBe(0);
    sweeper.stop();
    expect(timers.pending).toBe(0);
  });
});

const OLD_WORD = 'zqxexpiredword';
const KEPT_WORD = 'zqxkeptword';

/** A plain-SQLite store (so the test can read the FTS pages) with `old` messages past 30 days and `recent` within. */
function backlog(old: number, recent: number, now: number): { store: Store; db: SqliteHandle } {
  const db = new Database(join(tempDir(), 'store.db')) as unknown as SqliteHandle;
  applyConnectionSettings(db);
  const store = bindStore(db);
  open.push(store);
  for (const c of ['c1', 'c2', 'c3']) store.conversations.create({ id: c, kind: 'direct', title: c, now: now - 60 * DAY_MS, members: [`${c}@ward`] });
  const at = (i: number, base: number) => base + i * 1_000;
  const batch = Array.from({ length: old + recent }, (_, i) => {
    const isOld = i < old;
    const t = isOld ? at(i, now - 50 * DAY_MS) : at(i, now - DAY_MS);
    return incoming(`c${(i % 3) + 1}`, { id: `m${i}`, body: `note ${i} ${isOld ? OLD_WORD : KEPT_WORD}`, sentAt: t, receivedAt: t });
  });
  store.messages.insertMany(batch);
  for (let i = 0; i < 10; i++) store.attachments.add({ id: `a-old-${i}`, messageId: `m${i * 7}`, fileName: 'x.jpg', mimeType: 'image/jpeg', size: 1, sha256: new Uint8Array(32), state: 'pending', createdAt: 0, pointer: null, thumbnail: null });
  store.attachments.add({ id: 'a-kept', messageId: `m${old}`, fileName: 'y.jpg', mimeType: 'image/jpeg', size: 1, sha256: new Uint8Array(32), state: 'pending', createdAt: 0, pointer: null, thumbnail: null });
  return { store, db };
}

/** Whether any page of the search index holds `word` (terms are stored as their bytes). */
function indexHolds(db: SqliteHandle, word: string): boolean {
  return (db.prepare('SELECT block FROM messages_fts_data').all() as { block: Uint8Array | null }[])
    .some((r) => r.block !== null && Buffer.from(r.block).includes(Buffer.from(word)));
}

function ftsIntact(db: SqliteHandle): void {
  db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
}

describe('retention sweep of a large backlog', () => {
  it('deletes in chunks, letting other work run between them, to the same end state as one delete', async () => {
    const timers = new FakeTimers();
    const { store, db } = backlog(20_000, 3_000, timers.now());
    expect(indexHolds(db, OLD_WORD)).toBe(true);
    const swept: unknown[] = [];
    const logged: [string, unknown][] = [];
    const sweeper = new RetentionSweeper({ store, retentionDays: () => 30, timers, chunk: 1_000, mergePages: 20, swept: (r) => swept.push(r), log: (e, f) => logged.push([e, f]) });
    open.push({ close: () => sweeper.stop() });

    // Work queued behind the sweep (a renderer call would be): it runs while the sweep is under way, seeing committed chunks.
    const seenMidway: number[] = [];
    let finished = false;
    const other = (): void => {
      if (finished) return;
      seenMidway.push(store.messages.count());
      setImmediate(other);
    };
    setImmediate(other);
    sweeper.start();
    const result = await sweeper.sweep();
    finished = true;

    expect(seenMidway.some((n) => n < 23_000 && n > 3_000)).toBe(true);
    expect(result).toEqual({ messages: 20_000, attachments: 10 });
    expect(swept).toEqual([{ messages: 20_000, attachments: 10 }]);
    expect(logged.filter(([e]) => e === 'retention.swept')).toEqual([['retention.swept', { messages: 20_000, attachments: 10, days: 30, disappeared: 0 }]]);
    expect(store.messages.count()).toBe(3_000);
    expect(store.messages.get('m19999')).toBeNull();
    expect(store.messages.get('m20000')?.body).toBe(`note 20000 ${KEPT_WORD}`);
    expect(store.attachments.get('a-old-0')).toBeNull();
    expect(store.attachments.get('a-kept')).not.toBeNull();
    expect(store.search.messages(OLD_WORD)).toEqual([]);
    expect(store.search.messages(KEPT_WORD).length).toBeGreaterThan(0);
    // Merged: the deleted word is on no page of the index any more, and the index is sound.
    expect(indexHolds(db, OLD_WORD)).toBe(false);
    expect(indexHolds(db, KEPT_WORD)).toBe(true);
    ftsIntact(db);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('stops between chunks when the profile locks, leaving the store consistent, and the next sweep finishes the job', async () => {
    const timers = new FakeTimers();
    const { store, db } = backlog(5_000, 500, timers.now());
    const swept: unknown[] = [];
    const first = new RetentionSweeper({ store, retentionDays: () => 30, timers, chunk: 500, swept: (r) => swept.push(r) });
    first.start();
    // Locking stops the sweeper while it waits between chunks.
    await new Promise((resolve) => setImmediate(resolve));
    first.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const left = store.messages.count();
    expect(left).toBeGreaterThan(500);
    expect(left).toBeLessThan(5_500);
    expect(swept).toEqual([]);
    expect(timers.pending).toBe(0);
    expect(store.integrityCheck()).toEqual(['ok']);
    ftsIntact(db);

    // The next unlock: a new sweeper deletes the rest and merges the index, including what the first one deleted.
    const second = new RetentionSweeper({ store, retentionDays: () => 30, timers, chunk: 500, swept: (r) => swept.push(r) });
    open.push({ close: () => second.stop() });
    second.start();
    await second.sweep();
    expect(swept).toEqual([{ messages: left - 500, attachments: expect.any(Number) }]);
    expect(store.messages.count()).toBe(500);
    expect(store.search.messages(OLD_WORD)).toEqual([]);
    expect(indexHolds(db, OLD_WORD)).toBe(false);
    ftsIntact(db);
  });
});
