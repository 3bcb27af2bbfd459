import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { openDatabase, type Db } from '../../../server/db/database';
import { DeviceRepository } from '../../../server/db/devices';
import { EnvelopeRepository } from '../../../server/db/envelopes';
import { UserRepository } from '../../../server/db/users';
import * as m0001 from '../../../server/db/migrations/0001-initial';
import { BatchApplier } from '../../../server/writer/apply';
import { DUPLICATE, type BatchSend } from '../../../server/writer/messages';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wardline-group-heads-'));
  dirs.push(dir);
  return dir;
}

function enrolDevice(db: Db, name: string): { deviceId: string; userId: string } {
  const user = new UserRepository(db).create(name, name, 1);
  const deviceId = randomUUID();
  new DeviceRepository(db).insert({ id: deviceId, userId: user.id, identityKey: randomBytes(32), certificate: randomBytes(80), createdAt: 1 });
  return { deviceId, userId: user.id };
}

describe('migration 0002: group heads', () => {
  it('adds group_heads to a version-1 database and keeps its data', () => {
    const dir = tempDir();
    const old = new Database(path.join(dir, 'relay.db'));
    m0001.up(old);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO users (id, username, display_name, created_at) VALUES ('u1', 'alice', 'Dr Alice', 1)").run();
    old.close();

    const db = openDatabase(dir, 'normal');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT username FROM users').all()).toEqual([{ username: 'alice' }]);
    expect(db.prepare('SELECT count(*) AS n FROM group_heads').get()).toEqual({ n: 0 });
    // Group ids are the clients' 32 random bytes; anything else is a bug, refused by the schema.
    expect(() => db.prepare("INSERT INTO group_heads VALUES (x'00', 1, 'd', 'm', 1)").run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('BatchApplier group commits', () => {
  it('accepts one commit per epoch per group, stores nothing of a stale one, and queues accepted commits in one order for every recipient', () => {
    const db = openDatabase(tempDir(), 'normal');
    const senders = [enrolDevice(db, 'admin-a'), enrolDevice(db, 'admin-b')];
    const recipients = [enrolDevice(db, 'member-a').deviceId, enrolDevice(db, 'member-b').deviceId];
    const envelopes = new EnvelopeRepository(db);
    const applier = new BatchApplier(db, { queueCap: 1_000_000, queueCapBytes: 1 << 30 });
    let batchId = 0;
    let commitId = 0;

    // A commit: its sender, its group, the epoch it names relative to the model's head, or a retry.
    const commit = fc.record({ sender: fc.constantFrom(...senders), group: fc.nat(1), offset: fc.integer({ min: -2, max: 1 }), retry: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.array(commit, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), (batches) => {
        const groups = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
        const heads = new Map<string, { next: number; sender: BatchSend['sender']; id: string }>();
        const accepted: string[] = [];
        const made = new Set<string>();
        for (const planned of batches) {
          const expected: { verdict: 'accepted' | 'retry' | 'stale'; head: number }[] = [];
          const sends: BatchSend[] = planned.map(({ sender, group, offset, retry }) => {
            const groupId = groups[group] ?? '';
            const head = heads.get(groupId);
            // A retry resends the group's last accepted commit exactly.
            const id = retry && head ? head.id : `commit-${commitId++}`;
            const from = retry && head ? head.sender : sender;
            const epoch = retry && head ? head.next - 1 : Math.max(0, (head?.next ?? 5) + offset);
            made.add(id);
            if (!head || epoch === head.next) {
              heads.set(groupId, { next: epoch + 1, sender: from, id });
              accepted.push(id);
              expected.push({ verdict: 'accepted', head: epoch + 1 });
            } else {
              const isRetry = head.next === epoch + 1 && head.sender === from && head.id === id;
              expected.push({ verdict: isRetry ? 'retry' : 'stale', head: head.next });
            }
            return { sender: from, payloads: ['AAAA'], envelopes: recipients.map((to) => ({ to, senderMessageId: id, payload: 0 })), commit: { groupId, epoch } };
          });
          const result = applier.apply({ id: ++batchId, now: 1, sends, acks: [], touches: [] });
          result.sends.forEach((outcome, i) => {
            const { verdict, head } = expected[i] ?? { verdict: 'stale', head: -1 };
            expect(outcome.head).toBe(head);
            if (verdict === 'stale') expect(outcome).toEqual({ stale: true, outcomes: [], head });
            else if (verdict === 'retry') expect(outcome.outcomes).toEqual(recipients.map(() => DUPLICATE));
            else expect(outcome.outcomes.every((seq) => seq > 0)).toBe(true);
          });
        }
        // Each recipient's queue holds exactly the accepted commits, in the order they were accepted.
        for (const to of recipients) {
          const queued = envelopes.pending(to, 0, 100_000).map((row) => row.senderMessageId).filter((id) => made.has(id));
          expect(queued).toEqual(accepted);
        }
      }),
      { numRuns: 50 },
    );
    db.close();
  });
});
