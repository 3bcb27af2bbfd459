import { fileSize } from './format';

/**
 * The contract's attachment ceiling (protocol/contract.ts MAX_ATTACHMENT_BYTES). Repeated here
 * because importing contract.ts would pull zod into the renderer bundle; main validates again.
 */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export interface ReadFile {
  name: string;
  mimeType: string;
  size: number;
  /** The bytes as base64, without a data: prefix. */
  data: string;
}

export type ReadOutcome = { ok: true; file: ReadFile } | { ok: false; message: string };

/** MIME types the contract accepts; a browser gives '' for unknown types. */
const MIME = /^[\w.+-]+\/[\w.+-]+$/;

/** Checks the size first, so a 2 GB drop is refused before any byte is read. */
export function checkSize(file: File): string | null {
  if (file.size > MAX_ATTACHMENT_BYTES) {
    return `"${file.name}" is ${fileSize(file.size)}. Files can be at most ${fileSize(MAX_ATTACHMENT_BYTES)}.`;
  }
  if (file.size === 0) return `"${file.name}" is empty.`;
  return null;
}

export function readAsBase64(file: File): Promise<ReadOutcome> {
  const tooBig = checkSize(file);
  if (tooBig) return Promise.resolve({ ok: false, message: tooBig });
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onerror = () => resolve({ ok: false, message: `"${file.name}" could not be read.` });
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      const comma = url.indexOf(',');
      resolve({
        ok: true,
        file: {
          // A pasted screenshot has the name "image.png"; keep names within the contract's 255.
          name: (file.name.trim() || 'attachment').slice(0, 255),
          mimeType: MIME.test(file.type) ? file.type : 'application/octet-stream',
          size: file.size,
          data: comma >= 0 ? url.slice(comma + 1) : '',
        },
      });
    };
    reader.readAsDataURL(file);
  });
}

export function isImage(mimeType: string): boolean {
  return /^image\/(png|jpeg|gif|webp|bmp)$/i.test(mimeType);
}
