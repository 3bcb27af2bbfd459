/**
 * A minimal PDF 1.4 writer: A4 pages of Helvetica text and pictures, nothing else. Written here
 * rather than taken from a library because an export needs only this, and every byte of what
 * leaves the encrypted store should be accounted for (no metadata, no fonts or scripts we did not
 * choose). Text content streams are uncompressed so the file can be checked by eye during an incident.
 */
import type { PdfImage } from './images';

export interface PdfTextLine {
  text: string;
  bold?: boolean;
  /** Space before this line, in points (default 0). */
  gapBefore?: number;
}

/** A picture on its own lines, scaled to fit the text width (and a page's height). */
export interface PdfImageLine {
  image: PdfImage;
  gapBefore?: number;
}

export type PdfLine = PdfTextLine | PdfImageLine;

const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;
const MARGIN = 50;
const FONT_SIZE = 10;
const LEADING = 14;
/** Helvetica's widest common glyphs are ~0.56 em; 88 characters of 10 pt fit in 495 pt. */
export const CHARS_PER_LINE = 88;

/**
 * WinAnsiEncoding, the standard fonts' own: Latin-1 plus the typographic marks clinicians type.
 * Anything else prints as '?': the standard fonts have no other glyphs, and a wrong glyph in a
 * patient record is worse than a visible gap.
 */
const WIN_ANSI: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, '‰': 0x89, '‘': 0x91, '’': 0x92,
  '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99,
};

function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code >= 0xa0 && code <= 0xff) out += ch;
    else if (WIN_ANSI[ch] !== undefined) out += String.fromCharCode(WIN_ANSI[ch]);
    else if (ch === '\t') out += ' ';
    else out += '?';
  }
  return out;
}

/** A PDF literal string: backslash and both parentheses escaped, bytes as Latin-1. */
function literal(text: string): string {
  return `(${winAnsi(text).replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** Splits text into lines of at most CHARS_PER_LINE, at spaces where possible. */
export function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let rest = paragraph;
    while (rest.length > CHARS_PER_LINE) {
      const cut = rest.lastIndexOf(' ', CHARS_PER_LINE);
      const at = cut > CHARS_PER_LINE / 2 ? cut : CHARS_PER_LINE;
      lines.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).trimStart();
    }
    lines.push(rest);
  }
  return lines;
}

/** Pictures are drawn at 96 dpi (a screen's pixel) unless that is wider than the text. */
const POINTS_PER_PIXEL = 0.75;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const CONTENT_HEIGHT = PAGE_HEIGHT - 2 * MARGIN;

/** Lays the lines out top to bottom over as many pages as needed; returns the file's bytes. */
export function writePdf(lines: readonly PdfLine[]): Uint8Array {
  const pages: { ops: string[]; images: number[] }[] = [];
  const images: PdfImage[] = [];
  let page: { ops: string[]; images: number[] } = { ops: [], images: [] };
  let y = PAGE_HEIGHT - MARGIN;
  const room = (height: number) => {
    if (y - height < MARGIN && page.ops.length > 0) {
      pages.push(page);
      page = { ops: [], images: [] };
      y = PAGE_HEIGHT - MARGIN;
    }
  };
  for (const line of lines) {
    y -= line.gapBefore ?? 0;
    if ('image' in line) {
      const { width, height } = line.image;
      const scale = Math.min(POINTS_PER_PIXEL, CONTENT_WIDTH / width, CONTENT_HEIGHT / height);
      const w = round(width * scale);
      const h = round(height * scale);
      room(h + 4);
      y -= h + 4;
      page.images.push(images.length);
      page.ops.push(`q ${w} 0 0 ${h} ${MARGIN} ${round(y)} cm /Im${images.length} Do Q`);
      images.push(line.image);
      continue;
    }
    room(LEADING);
    y -= LEADING;
    page.ops.push(`BT /${line.bold ? 'F2' : 'F1'} ${FONT_SIZE} Tf ${MARGIN} ${round(y)} Td ${literal(line.text)} Tj ET`);
  }
  pages.push(page);

  // Objects 1 catalog, 2 page tree, 3-4 fonts, then a page and its content stream per page,
  // then each picture (and its alpha mask, if it has one).
  const objects: string[] = [];
  const kids = pages.map((_, i) => `${5 + 2 * i} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const imageObjects: number[] = [];
  let next = 5 + 2 * pages.length;
  for (const image of images) {
    imageObjects.push(next);
    next += image.mask ? 2 : 1;
  }
  pages.forEach((p, i) => {
    const xobjects = p.images.map((n) => `/Im${n} ${imageObjects[n]} 0 R`).join(' ');
    const resources = `/Font << /F1 3 0 R /F2 4 0 R >>${xobjects ? ` /XObject << ${xobjects} >>` : ''}`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << ${resources} >> /Contents ${6 + 2 * i} 0 R >>`);
    objects.push(stream('', p.ops.join('\n')));
  });
  images.forEach((image, n) => {
    const mask = image.mask ? ` /SMask ${imageObjects[n]! + 1} 0 R` : '';
    objects.push(stream(`${image.dict}${mask}`, latin1(image.data)));
    if (image.mask) objects.push(stream(image.mask.dict, latin1(image.mask.data)));
  });

  // Every string above is Latin-1 (winAnsi, or bytes as Latin-1), so string length is byte length for the offsets.
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

function stream(dict: string, content: string): string {
  return `<< ${dict}${dict ? ' ' : ''}/Length ${content.length} >>\nstream\n${content}\nendstream`;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
