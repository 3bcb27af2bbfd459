/**
 * Many headless group members for the group test and `npm run bench:group`: each is the real
 * messaging engine over a real SQLCipher store (a random key, no PIN vault: the vault is not what
 * these measure) enrolled on the real relay, exactly as a workstation's engine runs after unlock.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeDeviceKeys } from '../../main/core/crypto';
import { enrolNewDevice } from '../../main/core/messaging/account';
import { MessagingEngine } from '../../main/core/messaging/engine';
import { DB_KEY_BYTES, openStore } from '../../main/core/store';
import type { MessageRecord, Store } from '../../main/core/store';
import { openDatabase } from '../../server/db/database';
import { UserRepository } from '../../server/db/users';
import { loadOrCreateDirectoryKey } from '../../server/directory-key';

const rng = (n: number) => new Uint8Array(randomBytes(n));

export interface IssuedUser {
  userId: string;
  username: string;
  displayName: string;
  code: string;
}

/**
 * Creates users and enrolment codes straight in the relay's database, as `relay user add` does
 * (one process instead of one CLI run per user). The relay may be running: SQLite's WAL lets the
 * writer and this connection share the file.
 */
export function issueUsers(relayDataDir: string, people: readonly { username: string; displayName: string }[]): IssuedUser[] {
  loadOrCreateDirectoryKey(relayDataDir);
  const db = openDatabase(relayDataDir, 'normal');
  try {
    const users = new UserRepository(db);
    const now = Date.now();
    return people.map((p) => {
      const user = users.create(p.username, p.displayName, now);
      return { userId: user.id, username: p.username, displayName: p.displayName, code: users.issueCode(user.id, now, 3_600_000).code };
    });
  } finally {
    db.close();
  }
}

/** Another enrolment code for an existing user: a second workstation of the same clinician. */
export function issueCode(relayDataDir: string, user: Pick<IssuedUser, 'userId' | 'displayName'>): Pick<IssuedUser, 'displayName' | 'code'> {
  const db = openDatabase(relayDataDir, 'normal');
  try {
    return { displayName: user.displayName, code: new UserRepository(db).issueCode(user.userId, Date.now(), 3_600_000).code };
  } finally {
    db.close();
  }
}

export class GroupMember {
  private constructor(
    readonly name: string,
    readonly store: Store,
    readonly engine: MessagingEngine,
    private readonly dir: string,
    readonly log: { event: string; fields?: Record<string, unknown> }[],
    /** Ids of every message the engine reported added, in order. */
    readonly added: string[],
  ) {}

  static async enrol(relayUrl: string, user: Pick<IssuedUser, 'displayName' | 'code'>, options: { quiet?: boolean } = {}): Promise<GroupMember> {
    const dir = mkdtempSync(join(tmpdir(), 'wardline-member-'));
    const { account, deviceKeys } = await enrolNewDevice({ relayUrl, code: user.code, rng, pinnedDirectoryKey: null });
    const store = openStore(join(dir, 'profile.db'), rng(DB_KEY_BYTES), { create: true });
    store.account.set({ ...account, deviceKeys: serializeDeviceKeys(deviceKeys), now: Date.now() });
    const added: string[] = [];
    const log: { event: string; fields?: Record<string, unknown> }[] = [];
    const engine = new MessagingEngine({
      store, account, deviceKeys, rng, reconnectDelayMs: 100,
      events: { messageAdded: (id) => added.push(id) },
      log: (event, fields) => {
        if (!options.quiet || event.includes('dropped') || event.includes('refused') || event.includes('failed')) log.push({ event, fields });
        if (process.env.WARDLINE_DEBUG) console.log(user.displayName, event, JSON.stringify(fields ?? {}));
      },
    });
    const member = new GroupMember(user.displayName, store, engine, dir, log, added);
    engine.start();
    return member;
  }

  get userId(): string {
    return this.engine.account.userId;
  }

  /** Visible messages (not system lines) in a conversation, oldest first. */
  texts(conversationId: string): MessageRecord[] {
    return this.store.messages
      .page(conversationId, { limit: 500 })
      .items.filter((m) => m.kind === 'text')
      .reverse();
  }

  async close(): Promise<void> {
    this.engine.stop();
    await new Promise((r) => setTimeout(r, 20));
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
