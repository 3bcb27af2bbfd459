import { equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64, encodeBase64 } from '../../../protocol/relay';
import { AttachmentDecryptor, encryptAttachment, encryptedAttachmentSize } from '../crypto/attachment-stream';
import { downloadBlob, uploadBlob } from '../net/http';
import { AttachmentPointer } from './content';
import type { DeviceDirectory } from './directory';
import { newMessageId } from './ids';
import type { EngineParts } from './parts';
import type { MessageRecord } from '../store';

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export interface TransferEvents {
  progress(attachmentId: string, direction: 'upload' | 'download', loaded: number, total: number): void;
  done(messageId: string): void;
}

/**
 * Attachments travel beside messages: encrypted here under a fresh key (chunked, see
 * crypto/attachment-stream), uploaded as an opaque blob, and the key and SHA-256 of the
 * ciphertext go inside the end-to-end encrypted message. On receipt the blob is fetched, its
 * digest checked and it is decrypted into the encrypted store; it is never written to a file.
 */
export class Attachments {
  private readonly active = new Set<string>();
  private stopped = false;

  constructor(
    private readonly deps: EngineParts & { directory: DeviceDirectory; events: TransferEvents },
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /**
   * Stores our file (inside the encrypted store) and its message at once, shown as uploading:
   * both stay pending until the encrypted copy is on the relay (`upload`).
   */
  stage(conversationId: string, file: { name: string; mimeType: string; data: Uint8Array; thumbnail?: Uint8Array | null }): { message: MessageRecord; attachmentId: string } {
    if (file.data.length > MAX_ATTACHMENT_BYTES) throw new RangeError(`Attachments are limited to ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB.`);
    const { store, account, rng, now } = this.deps;
    const id = newMessageId(rng);
    const attachmentId = newMessageId(rng);
    const sentAt = now();
    const message = store.transaction(() => {
      const rec = store.messages.insert({
        id, conversationId, direction: 'out', senderUserId: account.userId, senderDeviceId: account.deviceId,
        senderMessageId: id, kind: 'text', body: '', status: 'pending', sentAt,
      });
      store.attachments.add({
        id: attachmentId, messageId: id, fileName: file.name, mimeType: file.mimeType, size: file.data.length,
        sha256: new Uint8Array(32), state: 'pending', createdAt: sentAt, pointer: null, thumbnail: file.thumbnail ?? null,
      });
      store.attachments.putContent(attachmentId, file.data, { markStored: false });
      return rec;
    });
    return { message, attachmentId };
  }

  /**
   * Encrypts and uploads one of our attachments for `people` (user ids), then hands the pointer
   * to `send`, which commits the message's outbox entries. Safe to call again after a crash: nothing was sent until then.
   */
  async upload(attachmentId: string, people: readonly string[], send: (pointer: AttachmentPointer) => void): Promise<void> {
    if (this.active.has(attachmentId)) return;
    this.active.add(attachmentId);
    try {
      const { store, relay, account } = this.deps;
      const record = store.attachments.get(attachmentId);
      const plaintext = store.attachments.getContent(attachmentId);
      if (!record || !plaintext) throw new Error('attachment content missing');
      // Every workstation of the people it goes to (a colleague, or a group's members) and our own others.
      const devices: string[] = [];
      for (const userId of new Set([...people, account.userId])) {
        for (const d of await this.deps.directory.devices(userId)) if (d.deviceId !== account.deviceId) devices.push(d.deviceId);
      }
      if (devices.length === 0) throw new Error('no recipient workstation');
      const size = encryptedAttachmentSize(plaintext.length);
      const grant = await relay.request('attachment.upload', { size, recipients: devices });
      const key = this.deps.rng(32);
      const hash = sha256.create();
      const rng = this.deps.rng;
      const chunks = (function* () {
        for (const chunk of encryptAttachment(key, plaintext, rng)) {
          hash.update(chunk);
          yield chunk;
        }
      })();
      await uploadBlob(
        { relayUrl: account.relayUrl, path: grant.url, token: grant.token, onProgress: (loaded, total) => this.deps.events.progress(attachmentId, 'upload', loaded, total) },
        size,
        chunks,
      );
      const pointer: AttachmentPointer = {
        blobId: grant.id,
        key: encodeBase64(key),
        sha256: encodeBase64(hash.digest()),
        size: plaintext.length,
        encryptedSize: size,
        name: record.fileName,
        mimeType: record.mimeType,
        thumbnail: record.thumbnail ? encodeBase64(record.thumbnail) : null,
      };
      store.transaction(() => {
        store.attachments.setPointer(attachmentId, JSON.stringify(pointer));
        store.attachments.setState(attachmentId, 'stored');
        send(pointer);
      });
      this.deps.events.done(record.messageId);
    } finally {
      this.active.delete(attachmentId);
    }
  }

  /** Fetches, verifies and decrypts a received attachment into the store. */
  async download(attachmentId: string): Promise<void> {
    if (this.active.has(attachmentId)) return;
    this.active.add(attachmentId);
    const { store, relay, account } = this.deps;
    try {
      const record = store.attachments.get(attachmentId);
      if (!record || record.state !== 'pending' || !record.pointer) return;
      const pointer = AttachmentPointer.parse(JSON.parse(record.pointer));
      const grant = await relay.request('attachment.download', { id: pointer.blobId });
      const decryptor = new AttachmentDecryptor(decodeBase64(pointer.key));
      const hash = sha256.create();
      const plain = new Uint8Array(pointer.size);
      let at = 0;
      const put = (part: Uint8Array) => {
        if (at + part.length > plain.length) throw new Error('attachment is larger than announced');
        plain.set(part, at);
        at += part.length;
      };
      await downloadBlob(
        { relayUrl: account.relayUrl, path: grant.url, token: grant.token, onProgress: (loaded, total) => this.deps.events.progress(attachmentId, 'download', loaded, total || pointer.encryptedSize) },
        (piece) => {
          hash.update(piece);
          for (const part of decryptor.push(piece)) put(part);
        },
      );
      put(decryptor.end());
      if (at !== pointer.size || !equalBytes(hash.digest(), decodeBase64(pointer.sha256))) throw new Error('attachment digest or size does not match');
      store.transaction(() => {
        store.attachments.putContent(attachmentId, plain);
        store.attachments.setState(attachmentId, 'stored');
      });
      this.deps.events.done(record.messageId);
    } catch (err) {
      if (this.stopped) return;
      // A blob that does not verify is never shown; a network failure is retried on reconnect.
      const permanent = !(err instanceof Error && err.name === 'RelayRequestError');
      this.deps.log('attachment.download_failed', { attachmentId, permanent });
      if (permanent) {
        store.attachments.setState(attachmentId, 'failed');
        const record = store.attachments.get(attachmentId);
        if (record) this.deps.events.done(record.messageId);
      }
    } finally {
      this.active.delete(attachmentId);
    }
  }
}
