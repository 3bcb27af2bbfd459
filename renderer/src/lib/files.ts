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

/** The contract's ceiling for a preview (protocol/contract.ts MAX_THUMBNAIL_BYTES). */
const MAX_THUMBNAIL_BYTES = 48 * 1024;

/**
 * A small JPEG preview of a picture, drawn here from the bytes the clinician chose (nothing leaves
 * the page but through the bridge). It travels inside the encrypted message, so the colleague sees
 * the picture in the conversation before opening it. Null for anything that is not a decodable image.
 */
export async function makeThumbnail(file: File, edge = 320): Promise<string | null> {
  if (!isImage(file.type)) return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of [0.8, 0.6, 0.4]) {
    const url = canvas.toDataURL('image/jpeg', quality);
    const data = url.slice(url.indexOf(',') + 1);
    if ((data.length * 3) / 4 <= MAX_THUMBNAIL_BYTES) return data;
  }
  return null;
}

/**
 * Hands bytes to the host's download handling (Electron's save dialog, the browser's downloads
 * in the web host); the blob: URL lives only for that moment.
 */
export function saveFile(file: { name: string; mimeType: string; data: string }): void {
  const url = URL.createObjectURL(new Blob([decodeBase64(file.data)], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
