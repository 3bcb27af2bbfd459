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
  it('deletes a message older than retentionDays with its attachment, thumbnail and search entry from every table and file, keeps newer ones and the dedupe marker', () => {
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
