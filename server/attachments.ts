/**
 * Attachments: encrypted blobs too large for an envelope. The socket grants single-use HTTP tokens
 * (attachment-tokens.ts); http/attachments.ts streams the bytes. Blobs are stored under random
 * 128-bit ids and deleted once every recipient device has fetched them or retention has passed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HTTP_PATHS } from '../protocol/relay';
import type { AttachmentTokens } from './attachment-tokens';
import type { Config } from './config';
import type { Db } from './db/database';
import { AttachmentRepository } from './db/attachments';
import { DeviceRepository } from './db/devices';
import type { WriteTurn } from './envelope-writer';
import { RelayFailure } from './failure';
import type { Logger } from './log';

/** An upload slot nobody used within this time is dropped. */
const PENDING_UPLOAD_MS = 60 * 60_000;

export class AttachmentService {
  readonly repo: AttachmentRepository;
  private readonly devices: DeviceRepository;
  private readonly dir: string;

  constructor(
    db: Db,
    private readonly config: Config,
    readonly tokens: AttachmentTokens,
    private readonly log: Logger,
    /** Every write of this service waits for its turn beside the envelope writer's batches. */
    private readonly turn: WriteTurn,
  ) {
    this.repo = new AttachmentRepository(db);
    this.devices = new DeviceRepository(db);
    this.dir = path.join(config.dataDir, 'attachments');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  async prepareUpload(deviceId: string, size: number, recipients: string[], now: number) {
    if (size > this.config.maxAttachmentBytes) {
      throw new RelayFailure('payload_too_large', `attachments are limited to ${this.config.maxAttachmentBytes} bytes`);
    }
    const unique = [...new Set(recipients)];
    const inactive = unique.filter((id) => this.devices.status(id).status !== 'active');
    if (inactive.length > 0) throw new RelayFailure('unknown_device', `${inactive.length} recipient device(s) unknown or revoked`);
    const id = randomBytes(16).toString('hex');
    const expiresAt = now + this.config.attachmentRetentionMs;
    await this.turn(() => this.repo.create({ id, uploaderDeviceId: deviceId, size, expiresAt }, unique, now));
    const grant = this.tokens.issue({ kind: 'upload', attachmentId: id, deviceId }, now);
    return { id, url: HTTP_PATHS.attachmentPrefix + id, ...grant };
  }

  prepareDownload(deviceId: string, id: string, now: number) {
    const row = this.repo.get(id);
    // Same answer for "no such id" and "not yours": ids are not confirmed to non-recipients.
    if (!row || row.state !== 'complete' || row.expiresAt <= now || !this.repo.isRecipient(id, deviceId)) {
      throw new RelayFailure('not_found', 'no such attachment for this device');
    }
    const grant = this.tokens.issue({ kind: 'download', attachmentId: id, deviceId }, now);
    return { id, url: HTTP_PATHS.attachmentPrefix + id, size: row.size, ...grant };
  }

  blobPath(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id);
  }

  partPath(id: string): string {
    return `${this.blobPath(id)}.part`;
  }

  /** Called once the HTTP layer has stored a whole upload durably under blobPath(id). */
  async complete(id: string): Promise<void> {
    await this.turn(() => this.repo.markComplete(id));
  }

  /** Called after the HTTP layer has streamed a blob to the client in full. */
  async fetched(id: string, deviceId: string, now: number): Promise<void> {
    // One write turn: the download recorded and, if it was the last one, the row deleted.
    const last = await this.turn(() => {
      const everyone = this.repo.markFetched(id, deviceId, now);
      if (everyone) this.repo.delete([id]);
      return everyone;
    });
    if (last) await this.removeFiles([id], 'fetched by every recipient');
  }

  async sweep(now: number): Promise<void> {
    const doomed = this.repo.doomed(now, now - PENDING_UPLOAD_MS);
    if (doomed.length === 0) return;
    await this.turn(() => this.repo.delete(doomed));
    await this.removeFiles(doomed, 'retention or no recipients left');
  }

  /** The files of attachments whose rows are gone: nothing can grant them any more. */
  private async removeFiles(ids: string[], reason: string): Promise<void> {
    for (const id of ids) {
      await Promise.all([this.blobPath(id), this.partPath(id)].map((file) => fs.promises.rm(file, { force: true })));
      this.log.debug({ attachmentId: id, reason }, 'attachment deleted');
    }
  }
}
