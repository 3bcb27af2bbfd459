import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { conversationPdf } from '../../../main/core/export/conversation';
import { pdfImage } from '../../../main/core/export/images';
import { writePdf } from '../../../main/core/export/pdf';
import type { MessageView } from '../../../protocol/models';
import { encodePng } from '../../support/png';

const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

/** A 24 × 16 gradient, drawn in Chromium and saved by canvas.toDataURL('image/jpeg', 0.5). */
const JPEG_24x16 = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABQL/xAAXEQADAQAAAAAAAAAAAAAAAAAAAgMh/9oADAMBAAIRAxEAPwCABckELUABBUwKemn/2Q==', 'base64');

/** A valid PNG, 8 bits per sample: colour type 2 (RGB) or 6 (RGBA), rows with mixed filters. */
function png(width: number, height: number, colour: 2 | 6): Buffer {
  const channels = colour === 6 ? 4 : 3;
  const raw = Buffer.alloc((width * channels + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * channels + 1);
    // Filter 0 (None) on even rows, 2 (Up) on odd ones, so the reader's unfiltering is exercised.
    raw[row] = y % 2 === 0 ? 0 : 2;
    for (let x = 0; x < width * channels; x++) raw[row + 1 + x] = y % 2 === 0 ? (x * 7 + y) & 0xff : 3;
  }
  return encodePng(width, height, colour, raw);
}

/** What a PDF reader (Mozilla's pdf.js) draws: each page's text, and the size of every image it paints. */
async function read(bytes: Uint8Array): Promise<{ text: string; images: { width: number; height: number }[] }> {
  const task = getDocument({ data: bytes.slice(), standardFontDataUrl, stopAtErrors: true });
  const doc = await task.promise;
  let text = '';
  const images: { width: number; height: number }[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    text += (await page.getTextContent()).items.map((item) => ('str' in item ? item.str : '')).join('\n');
    const ops = await page.getOperatorList();
    ops.fnArray.forEach((fn, n) => {
      if (fn !== OPS.paintImageXObject) return;
      const [, width, height] = ops.argsArray[n] as [string, number, number];
      images.push({ width, height });
    });
  }
  await task.destroy();
  return { text, images };
}

describe('pictures in the PDF', () => {
  it('embeds a JPEG as it is (DCTDecode) with its own pixel size', async () => {
    const image = pdfImage(JPEG_24x16)!;
    expect(image).toMatchObject({ width: 24, height: 16 });
    const bytes = writePdf([{ text: 'before' }, { image }, { text: 'after' }]);
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).toMatch(/\/Subtype \/Image \/Width 24 \/Height 16 \/ColorSpace \/DeviceRGB \/BitsPerComponent 8 \/Filter \/DCTDecode/);
    const got = await read(bytes);
    expect(got.images).toEqual([{ width: 24, height: 16 }]);
    expect(got.text.split(/\n+/)).toEqual(['before', 'after']);
  });

  it('embeds an RGB PNG through its own compressed rows, and an RGBA PNG with a soft mask', async () => {
    const rgb = pdfImage(png(300, 200, 2))!;
    const rgba = pdfImage(png(40, 30, 6))!;
    expect(rgb.mask).toBeUndefined();
    expect(rgba.mask).toBeDefined();
    const bytes = writePdf([{ image: rgb }, { image: rgba }]);
    expect(Buffer.from(bytes).toString('latin1')).toContain('/SMask');
    expect((await read(bytes)).images).toEqual([{ width: 300, height: 200 }, { width: 40, height: 30 }]);
  });

  it('scales a wide picture to the text width and starts a new page when it does not fit', async () => {
    const wide = pdfImage(png(3000, 2000, 2))!;
    const bytes = writePdf([...Array.from({ length: 40 }, (_, i) => ({ text: `line ${i}` })), { image: wide }]);
    const raw = Buffer.from(bytes).toString('latin1');
    // 495 pt is A4's width less both margins; 2000 px high becomes 330 pt.
    expect(raw).toMatch(/q 495 0 0 330 50 [\d.]+ cm \/Im0 Do Q/);
    expect(raw).toContain('/Count 2');
  });

  it('leaves out what it cannot draw: other formats, truncated files, 16-bit or interlaced PNGs', () => {
    expect(pdfImage(Buffer.from('GIF89a...'))).toBeNull();
    expect(pdfImage(JPEG_24x16.subarray(0, 40))).toBeNull();
    const sixteen = png(4, 4, 2);
    sixteen[8 + 8 + 8] = 16; // IHDR bit depth
    expect(pdfImage(sixteen)).toBeNull();
  });

  it('puts the picture under its name line in a conversation export', async () => {
    const message: MessageView = {
      id: 'm1', conversationId: 'c', kind: 'attachment', fromMe: false, senderName: 'Nurse Bob Singh', text: '', sentAt: Date.UTC(2026, 0, 5, 9, 30),
      status: 'delivered', urgent: false, acknowledgedAt: null, receipts: null, mentionsMe: false,
      attachment: { id: 'a1', name: 'wound-day3.jpg', mimeType: 'image/jpeg', size: JPEG_24x16.length, state: 'ready', thumbnail: null },
    };
    const pdf = conversationPdf({ conversationTitle: 'Nurse Bob Singh', exportedBy: 'Dr Alice Okafor', at: Date.UTC(2026, 0, 5, 10), messages: [message], images: new Map([['m1', pdfImage(JPEG_24x16)!]]) });
    const got = await read(pdf.data);
    expect(got.text).toContain('[Attachment: wound-day3.jpg, image/jpeg');
    expect(got.images).toEqual([{ width: 24, height: 16 }]);
  });
});
