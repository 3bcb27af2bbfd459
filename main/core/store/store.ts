import { Checkpointer } from './checkpoint/checkpointer';
import type { CheckpointerOptions } from './checkpoint/checkpointer';
import { Connection, openEncryptedHandle } from './connection';
import type { SqliteHandle } from './connection';
import { StoreError } from './errors';
import { migrate, schemaVersion } from './migrations';
import { AccessLogRepo } from './repos/access-log';
import { AccountRepo } from './repos/account';
import { AttachmentRepo } from './repos/attachments';
import { ContactRepo } from './repos/contacts';
import { GroupRepo } from './repos/groups';
import { ConversationRepo } from './repos/conversations';
import { IdentityRepo } from './repos/identity';
import { MessageRepo } from './repos/messages';
import { OutboxRepo } from './repos/outbox';
import { PrekeyRepo } from './repos/prekeys';
import { SearchRepo } from './repos/search';
import { SessionRepo } from './repos/sessions';
import { SettingsRepo } from './repos/settings';
import type { ReceivedInput } from './types';

/** The repository names a Store exposes; the worker proxy dispatches to these and nothing else. */
export const REPOSITORIES = [
  'identity', 'prekeys', 'contacts', 'conversations', 'messages', 'sessions',
  'outbox', 'attachments', 'settings', 'search', 'accessLog', 'account', 'groups',
] as const;
export type RepositoryName = (typeof REPOSITORIES)[number];

export type ReceivedResult = 'stored' | 'duplicate';

/** One unlocked profile database. Every method throws StoreError('locked') after close(). */
export class Store {
  readonly identity: IdentityRepo;
  readonly prekeys: PrekeyRepo;
  readonly contacts: ContactRepo;
  readonly conversations: ConversationRepo;
  readonly messages: MessageRepo;
  readonly sessions: SessionRepo;
  readonly outbox: OutboxRepo;
  readonly attachments: AttachmentRepo;
  readonly settings: SettingsRepo;
  readonly search: SearchRepo;
  readonly accessLog: AccessLogRepo;
  readonly account: AccountRepo;
  readonly groups: GroupRepo;
  #checkpointer: Pick<Checkpointer, 'stop'> | null;

  constructor(
    private readonly c: Connection,
    checkpointer: Pick<Checkpointer, 'stop'> | null = null,
  ) {
    this.#checkpointer = checkpointer;
    const outbox = new OutboxRepo(c);
    this.identity = guarded(c, new IdentityRepo(c));
    this.prekeys = guarded(c, new PrekeyRepo(c));
    this.contacts = guarded(c, new ContactRepo(c));
    this.conversations = guarded(c, new ConversationRepo(c));
    this.outbox = guarded(c, outbox);
    this.messages = guarded(c, new MessageRepo(c, outbox));
    this.sessions = guarded(c, new SessionRepo(c));
    this.attachments = guarded(c, new AttachmentRepo(c));
    this.settings = guarded(c, new SettingsRepo(c));
    this.search = guarded(c, new SearchRepo(c));
    this.accessLog = guarded(c, new AccessLogRepo(c));
    this.account = guarded(c, new AccountRepo(c));
    this.groups = guarded(c, new GroupRepo(c));
  }

  get isOpen(): boolean {
    return this.c.isOpen;
  }

  /** Runs fn in one transaction; repository calls inside it commit or roll back together. */
  transaction<T>(fn: () => T): T {
    return this.c.tx(fn);
  }

  /**
   * A decrypted envelope, its ratchet state change and its dedupe marker, in one transaction: the
   * relay is acked only after this returns, so a crash either keeps all three or none, and a
   * re-delivered envelope is reported as 'duplicate' with nothing changed (the ratchet included).
   */
  storeReceived(input: ReceivedInput): ReceivedResult {
    this.c.assertOpen();
    const { message: m, dedupeMarker: k } = input;
    if (m && (m.senderUserId !== k.senderUserId
      || m.senderDeviceId !== k.senderDeviceId || m.senderMessageId !== k.senderMessageId)) {
      throw new StoreError('invalid', 'received message does not match its dedupe marker');
    }
    return this.c.tx(() => {
      if (!this.messages.addMarker(k, m?.id ?? null, input.now)) return 'duplicate';
      if (m) this.messages.insert(m);
      const s = input.sessionUpdate;
      this.sessions.put(s.userId, s.deviceId, s.record, input.now);
      return 'stored';
    });
  }

  /**
   * Copies the WAL into the database file and truncates it: after a retention sweep, the only
   * copies of deleted pages left are the zeroed ones (secure_delete) in the main file.
   */
  checkpoint(): void {
    this.c.assertOpen();
    this.c.handle.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** PRAGMA integrity_check; ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return this.c.all<{ integrity_check: string }>('PRAGMA integrity_check').map((r) => r.integrity_check);
  }

  schemaVersion(): number {
    return schemaVersion(this.c.handle);
  }

  /**
   * Closes the handle and forgets the prepared statements: from this call on every method throws
   * StoreError('locked'). SQLite releases (and SQLite3MC wipes) the page cipher keys with the
   * handle, so no copy of the DB key remains with this object. Resolves once the checkpoint
   * thread, if any, has done its last checkpoint and closed its own handle (and key) too.
   */
  close(): Promise<void> {
    this.c.close();
    const checkpointer = this.#checkpointer;
    this.#checkpointer = null;
    return checkpointer ? checkpointer.stop() : Promise.resolve();
  }
}

/**
 * Every repository method checks that the store is open before doing anything else, argument
 * validation included, so a locked store answers every call with StoreError('locked') and never
 * with a result computed without the database (an empty search, say).
 */
function guarded<T extends object>(c: Connection, repo: T): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      let wrapped = cache.get(prop);
      if (!wrapped) {
        wrapped = (...args: unknown[]) => {
          c.assertOpen();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
        cache.set(prop, wrapped);
      }
      return wrapped;
    },
  });
}

export interface OpenStoreOptions {
  /** Create the file if it does not exist (enrolment). Default false: a missing file is an error. */
  create?: boolean;
  /** Checkpoint the WAL on a thread of its own (checkpoint/checkpointer.ts); the app does. */
  checkpointer?: CheckpointerOptions;
}

/**
 * Opens a profile database with its raw 256-bit key and migrates it to the latest schema. The
 * caller should wipe `key` after this returns; the store keeps no copy (a checkpoint thread, when
 * asked for, gets a transferred copy that it wipes once its own connection is keyed).
 */
export function openStore(path: string, key: Uint8Array, opts: OpenStoreOptions = {}): Store {
  const db = openEncryptedHandle(path, key, opts.create ?? false);
  const checkpoints = opts.checkpointer;
  return bindStore(db, checkpoints && ((h) => new Checkpointer(h, path, key, checkpoints)));
}

/**
 * Builds a Store over an already-open handle. Not exported from the store's index: the app opens
 * only through openStore (encrypted). The benchmark uses it for its plain better-sqlite3 baseline.
 */
export function bindStore(db: SqliteHandle, checkpointer?: (db: SqliteHandle) => Pick<Checkpointer, 'stop'>): Store {
  try {
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return new Store(new Connection(db), checkpointer ? checkpointer(db) : null);
}
