import Database from 'better-sqlite3-multiple-ciphers';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../../main/core/store';
import { openEncryptedHandle } from '../../../main/core/store/connection';
import { newKey, openTempStore, tempDir } from './helpers';

function header(path: string): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(16);
  readSync(fd, buf, 0, 16, 0);
  closeSync(fd);
  return buf;
}

describe('encrypted connection', () => {
  it('writes a file whose header is not the plaintext SQLite magic', () => {
    const { store, path } = openTempStore();
    store.settings.set('k', 'v');
    expect(header(path).toString('latin1')).not.toBe('SQLite format 3\0');
  });

  it('refuses to open the file with another key, with no key, or with plain better-sqlite3', () => {
    const { store, path, key } = openTempStore();
    store.settings.set('k', 'v');
    store.close();
    expect(() => openStore(path, newKey())).toThrow(expect.objectContaining({ code: 'wrong_key' }));
    const plain = new Database(path);
    expect(() => plain.prepare('SELECT * FROM settings').all()).toThrow(/not a database/);
    plain.close();
    const reopened = openStore(path, key);
    expect(reopened.settings.get('k')).toBe('v');
    reopened.close();
  });

  it('rejects a key that is not 32 bytes and a missing file unless asked to create', () => {
    const dir = tempDir();
    expect(() => openStore(join(dir, 'a.db'), new Uint8Array(31), { create: true })).toThrow(/32-byte/);
    expect(() => openStore(join(dir, 'b.db'), newKey())).toThrow(StoreError);
  });

  it('runs in WAL with foreign keys, secure_delete, in-memory temp storage and synchronous FULL', () => {
    const db = openEncryptedHandle(join(tempDir(), 's.db'), newKey(), true);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('secure_delete', { simple: true })).toBe(1);
      expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('cipher', { simple: true })).toBe('sqlcipher');
      expect(String(db.pragma('legacy', { simple: true }))).toBe('4');
    } finally {
      db.close();
    }
  });

  it('is SQLCipher v4 compatible: the raw key opens it through the standard PRAGMA key form', () => {
    const { store, path, key } = openTempStore();
    store.settings.set('answer', 42);
    store.close();
    const db = new Database(path);
    db.pragma("cipher='sqlcipher'");
    db.pragma('legacy=4');
    db.pragma(`key="x'${Buffer.from(key).toString('hex')}'"`);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'answer'").get()).toEqual({ value: '42' });
    db.close();
  });

  it('after close, every call fails with StoreError locked', () => {
    const { store } = openTempStore();
    store.close();
    expect(() => store.settings.get('k')).toThrow(expect.objectContaining({ code: 'locked' }));
    expect(store.isOpen).toBe(false);
  });
});
