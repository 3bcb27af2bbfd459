import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { CHARS_PER_LINE, wrap, writePdf } from '../../../main/core/export/pdf';

const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

async function pages(bytes: Uint8Array): Promise<string[]> {
  const task = getDocument({ data: bytes.slice(), standardFontDataUrl, stopAtErrors: true });
  const doc = await task.promise;
  const out: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    out.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await task.destroy();
  return out;
}

describe('PDF writer', () => {
  it('writes a file whose cross-reference table points at every object', () => {
    const bytes = writePdf([{ text: 'one' }, { text: 'two', bold: true }]);
    const text = Buffer.from(bytes).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
  });

  it('keeps parentheses, backslashes, accents and dashes, and prints what the standard fonts cannot show as ?', async () => {
    const [page] = await pages(writePdf([{ text: 'K+ (repeat) \\ 5.9 — Zoë Müller 😀 李' }]));
    expect(page).toBe('K+ (repeat) \\ 5.9 — Zoë Müller ? ?');
  });

  it('continues on new pages instead of writing below the margin', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => ({ text: `line ${i + 1}` }));
    const got = await pages(writePdf(lines));
    expect(got.length).toBe(3);
    expect(got.join('')).toBe(lines.map((l) => l.text).join(''));
  });

  it('wraps long text at spaces within the line width, and keeps a long word by cutting it', () => {
    const text = `${'word '.repeat(40)}${'x'.repeat(200)}`;
    const lines = wrap(text);
    expect(lines.every((l) => l.length <= CHARS_PER_LINE)).toBe(true);
    expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    // No word split: every line is whole words, except the cut pieces of the one too long to fit.
    expect(lines.filter((l) => !l.startsWith('x')).every((l) => /^(word ?)+$/.test(l) || /^(word )+x+$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^x+$/.test(l)).length).toBeGreaterThan(0);
  });
});
