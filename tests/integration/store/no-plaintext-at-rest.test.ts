import Database from 'better-sqlite3';
import Cipher from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../main/core/store';
import type { Store } from '../../../main/core/store';
import { InsecureFileDeviceSecretProvider, openInThread, ProfileVault } from '../../../main/core/vault';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wardline-atrest-'));
  dirs.push(d);
  return d;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/** Files (relative names) containing any canary, as UTF-8 or UTF-16LE. */
function filesWithCanaries(dir: string, canaries: string[]): string[] {
  const needles = canaries.flatMap((c) => [Buffer.from(c, 'utf8'), Buffer.from(c, 'utf16le')]);
  return filesUnder(dir).filter((f) => {
    const bytes = readFileSync(f);
    return needles.some((n) => bytes.includes(n));
  });
}

function writeCanaries(store: Store, tag: string): string[] {
  const msg = `CANARYMSG${tag}`;
  const att = `CANARYATT${tag}`;
  store.contacts.upsert({ userId: 'bob', displayName: `Dr ${msg}contact`, now: 1 });
  store.conversations.create({ id: 'c', kind: 'direct', title: `${msg}title`, now: 1 });
  store.messages.insertMany(Array.from({ length: 3000 }, (_, i) => ({
    id: `m${i}`, conversationId: 'c', direction: i % 2 ? 'in' as const : 'out' as const, senderUserId: 'bob', senderDeviceId: 'd1',
    senderMessageId: `m${i}`, body: `Patient ${msg} in bed ${i}: potassium ${i % 7}.${i % 10}`,
    status: i % 2 ? 'received' as const : 'pending' as const, sentAt: i,
  })));
  store.messages.insert({ id: 'single', conversationId: 'c', direction: 'out', senderUserId: 'me', senderDeviceId: 'd1', senderMessageId: 'single', body: msg, status: 'pending', sentAt: 9999 });
  store.attachments.add({ id: 'a', messageId: 'm1', fileName: `${att}.pdf`, mimeType: 'application/pdf', size: 64, sha256: new Uint8Array(32), state: 'pending', createdAt: 1 });
  store.attachments.putContent('a', new TextEncoder().encode(`%PDF ${att} discharge letter`));
  store.settings.set('draft', `${msg}draft`);
  return [msg, att];
}

/**
 * SQLite's own temp files are unlinked as soon as they are opened, so no directory scan can see
 * them; the store keeps them out of the file system altogether (temp_store = MEMORY, asserted in
 * tests/unit/store/connection.test.ts).
 */
describe('nothing in plaintext at rest', () => {
  it('no file in the profile folder or data folder holds a canary: db, WAL, shm, profile.json; open or locked', async () => {
    const dataDir = tempDir();
    const vault = new ProfileVault({ dataDir, deviceSecrets: new InsecureFileDeviceSecretProvider(dataDir), allowInsecureDeviceSecret: true, open: openInThread });
    const tag = randomBytes(8).toString('hex');
    const session = await vault.enrol({ displayName: 'Dr Canary-free', userId: 'cf@ward', pin: '123456' });
    const canaries = writeCanaries(session.store, tag);
    // Exercise search (FTS5 queries, sorting) and big reads while the WAL is live.
    expect(session.store.search.messages(canaries[0]!).length).toBeGreaterThan(0);
    expect(session.store.conversations.list()[0]?.title).toContain(canaries[0]);

    const profileDir = join(dataDir, 'profiles', session.profileId);
    const names = readdirSync(profileDir).sort();
    expect(names).toEqual(expect.arrayContaining(['profile.json', 'store.db', 'store.db-wal', 'store.db-shm']));
    expect(statSync(join(profileDir, 'store.db-wal')).size).toBeGreaterThan(100_000);
    expect(filesWithCanaries(dataDir, canaries)).toEqual([]);

    await session.lock();
    expect(filesWithCanaries(dataDir, canaries)).toEqual([]);
    const header = readFileSync(join(profileDir, 'store.db')).subarray(0, 16).toString('latin1');
    expect(header).not.toBe('SQLite format 3\0');

    // Without its key the database does not open: plain SQLite, the cipher build unkeyed, a wrong key.
    const dbPath = join(profileDir, 'store.db');
    const plain = new Database(dbPath);
    expect(() => plain.prepare('SELECT count(*) FROM messages').get()).toThrow(/not a database/);
    plain.close();
    const unkeyed = new Cipher(dbPath);
    expect(() => unkeyed.prepare('SELECT count(*) FROM messages').get()).toThrow(/not a database/);
    unkeyed.close();
    expect(() => openStore(dbPath, new Uint8Array(randomBytes(32)))).toThrow(expect.objectContaining({ code: 'wrong_key' }));

    // ...and with the PIN the canaries are all there, so the scan above looked at real data.
    const again = await vault.unlock(session.profileId, '123456');
    expect(again.store.attachments.get('a')?.fileName).toBe(`${canaries[1]}.pdf`);
    expect(again.store.messages.count()).toBe(3001);
    await again.lock();
  }, 60_000);

  it('control: the same scan finds the canaries in a plain SQLite database', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'plain.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (body TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('CANARYMSGcontrol');
    expect(filesWithCanaries(dir, ['CANARYMSGcontrol'])).toEqual([join(dir, 'plain.db-wal')]);
    db.close();
  });
});
