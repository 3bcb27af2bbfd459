import type { MessageView } from '../../../protocol/models';
import type { PdfImage } from './images';
import { wrap, writePdf } from './pdf';
import type { PdfLine } from './pdf';

/** UTC with the zone written out: an export is read later, elsewhere, by someone else. */
function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The PDF for the patient record: who exported what and when, then exactly the chosen messages,
 * oldest first, each with sender, time and text; an attachment by its name, followed by the
 * picture itself when `images` has it (by message id).
 */
export function conversationPdf(input: {
  conversationTitle: string;
  exportedBy: string;
  at: number;
  messages: readonly MessageView[];
  images?: ReadonlyMap<string, PdfImage>;
}): { fileName: string; data: Uint8Array } {
  const lines: PdfLine[] = [
    { text: 'Wardline conversation export', bold: true },
    { text: `Conversation with ${input.conversationTitle}` },
    { text: `Exported by ${input.exportedBy} on ${when(input.at)}; ${input.messages.length} message${input.messages.length === 1 ? '' : 's'}` },
  ];
  for (const m of input.messages) {
    const flags = [m.urgent ? 'URGENT' : '', m.acknowledgedAt !== null ? `acknowledged ${when(m.acknowledgedAt)}` : ''].filter(Boolean).join(', ');
    lines.push({ text: `${m.fromMe ? input.exportedBy : m.senderName}, ${when(m.sentAt)}${flags ? ` (${flags})` : ''}`, bold: true, gapBefore: 10 });
    if (m.attachment) lines.push({ text: `[Attachment: ${m.attachment.name}, ${m.attachment.mimeType}, ${m.attachment.size} bytes]` });
    const image = input.images?.get(m.id);
    if (image) lines.push({ image, gapBefore: 2 });
    if (m.text) for (const l of wrap(m.text)) lines.push({ text: l });
  }
  const stamp = new Date(input.at).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  // No name in the file name: exported files end up in shared folders and download lists.
  return { fileName: `wardline-export-${stamp}.pdf`, data: writePdf(lines) };
}
