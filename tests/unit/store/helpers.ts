import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openStore } from '../../../main/core/store';
import type { NewMessage, Store } from '../../../main/core/store';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** A fresh temp folder, removed after the test (after any store in it is closed). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function newKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export interface TempStore {
  store: Store;
  path: string;
  key: Uint8Array;
}

export function openTempStore(): TempStore {
  const path = join(tempDir(), 'store.db');
  const key = newKey();
  const store = openStore(path, key, { create: true });
  cleanups.push(() => store.close());
  return { store, path, key };
}

let n = 0;
/** An incoming text message in `conversationId`, with unique ids unless given. */
export function incoming(conversationId: string, over: Partial<NewMessage> = {}): NewMessage {
  n += 1;
  const id = over.id ?? `in-${n}`;
  return {
    id,
    conversationId,
    direction: 'in',
    senderUserId: 'bob@ward',
    senderDeviceId: 'd1',
    senderMessageId: `s-${id}`,
    body: `message ${n}`,
    status: 'received',
    sentAt: 1_000 + n,
    receivedAt: 1_000 + n,
    ...over,
  };
}

export function outgoing(conversationId: string, over: Partial<NewMessage> = {}): NewMessage {
  n += 1;
  const id = over.id ?? `out-${n}`;
  return {
    id,
    conversationId,
    direction: 'out',
    senderUserId: 'me@ward',
    senderDeviceId: 'd1',
    senderMessageId: id,
    body: `reply ${n}`,
    status: 'pending',
    sentAt: 1_000 + n,
    ...over,
  };
}

export function withConversation(store: Store, id = 'c1', now = 1): string {
  store.conversations.create({ id, kind: 'direct', title: `Conversation ${id}`, now });
  return id;
}
