/** The relay's long-lived parts, built once in relay.ts and handed to every handler. */
import type { AttachmentService } from './attachments';
import type { Config } from './config';
import type { Db } from './db/database';
import type { DeviceRepository } from './db/devices';
import type { PrekeyRepository } from './db/prekeys';
import type { UserRepository } from './db/users';
import type { EnvelopeWriter } from './envelope-writer';
import type { Logger } from './log';
import type { TokenBucket } from './rate-limit';
import type { DeliveryPump } from './socket/delivery';
import type { PendingAuthLimit } from './socket/pending-auth';
import type { SessionRegistry } from './socket/registry';
import type { DirectoryKey } from './directory-key';

export interface RelayContext {
  config: Config;
  log: Logger;
  db: Db;
  /** The origin clients dial (https://relay.example); part of every signed auth challenge. */
  origin: string;
  users: UserRepository;
  devices: DeviceRepository;
  prekeys: PrekeyRepository;
  registry: SessionRegistry;
  delivery: DeliveryPump;
  writer: EnvelopeWriter;
  attachments: AttachmentService;
  /** Signs device certificates and wipe orders. */
  directoryKey: DirectoryKey;
  /** Per device, not per socket: reconnecting does not refill a device's envelope allowance. */
  envelopeBuckets: Map<string, TokenBucket>;
  /** Connections yet to authenticate, bounded per address and in all. */
  pendingAuth: PendingAuthLimit;
}
