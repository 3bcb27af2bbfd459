import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodePng } from '../../support/png';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createPolicyProvider } from '../../../main/core/policy';
import type { PolicyProvider } from '../../../main/core/policy';
import { readAccessLog } from '../../../main/core/workstation';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { enrolAll, eventually, tempDir, Workstation } from './support';
import { TestClock } from './test-clock';

/** Real policy defaults, with allowExport and retentionDays switchable as if the organisation changed them. */
function switchablePolicy(): PolicyProvider & { allowExport: boolean; retentionDays: number } {
  const real = createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: null });
  const provider = {
    allowExport: true,
    retentionDays: 0,
    current: () => ({ ...real.current(), values: { ...real.current().values, allowExport: provider.allowExport, retentionDays: provider.retentionDays } }),
    refresh: () => provider.current(),
  };
  return provider;
}

const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

/** The text of every page, as a PDF reader (Mozilla's pdf.js) extracts it, whitespace (and so line wrapping) collapsed. */
async function pdfText(base64: string): Promise<string> {
  const task = getDocument({ data: new Uint8Array(Buffer.from(base64, 'base64')), standardFontDataUrl });
  const doc = await task.promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join('\n'));
  }
  await task.destroy();
  return pages.join(' ').replace(/\s+/g, ' ');
}

let relay: RelayProcess;
const dirs: { remove(): void }[] = [];
const policy = switchablePolicy();
const clock = new TestClock();
let alice: Workstation;
let bob: Workstation;
let aliceCode: IssuedCode;

beforeAll(async () => {
  relay = await startRelay();
  aliceCode = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  const dir = (name: string) => {
    const t = tempDir(name);
    dirs.push(t);
    return t.dir;
  };
  alice = new Workstation(dir('alice'), { policy, runtime: { now: clock.now, timers: clock } });
  bob = new Workstation(dir('bob'));
  await enrolAll(relay.url, [[alice, aliceCode.code, '482916'], [bob, bobCode.code, '907311']]);
}, 120_000);

afterAll(async () => {
  for (const w of [alice, bob]) await w?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

describe('export to the patient record', () => {
  it('puts exactly the chosen messages, with sender and time, into a PDF and logs the export in both access logs', async () => {
    const atBob = await bob.call('conversations.start', { userId: aliceCode.userId });
    await bob.call('messages.send', { conversationId: atBob.id, text: 'Mr Evans (bed 3): K+ 6.1, ECG shows peaked T waves' });
    await bob.call('messages.send', { conversationId: atBob.id, text: 'Unrelated: the coffee machine is fixed' });
    const bobId = bob.core.runtime.requireOpen().account.userId;
    const conversation = await eventually('conversation at Alice', async () => (await alice.call('conversations.list', {})).find((c) => c.peerUserId === bobId));
    await eventually('both messages', async () => (await alice.call('messages.page', { conversationId: conversation.id })).messages.length === 2);
    await alice.call('messages.send', { conversationId: conversation.id, text: 'Give calcium gluconate 10 ml (10%) IV over 10 min, then insulin/dextrose; recheck K+ in 1 h' });
    const page = (await alice.call('messages.page', { conversationId: conversation.id })).messages;
    const chosen = page.filter((m) => !m.text.startsWith('Unrelated'));
    const other = page.find((m) => m.text.startsWith('Unrelated'))!;

    const file = await alice.call('messages.export', { conversationId: conversation.id, messageIds: chosen.map((m) => m.id) });
    expect(file.mimeType).toBe('application/pdf');
    expect(file.fileName).toMatch(/^wardline-export-\d{8}-\d{4}\.pdf$/);
    const text = await pdfText(file.data);
    for (const m of chosen) expect(text).toContain(m.text);
    expect(text).not.toContain(other.text);
    expect(text).toContain('Conversation with Nurse Bob Singh');
    expect(text).toMatch(/Nurse Bob Singh, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).toMatch(/Dr Alice Okafor, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    // Oldest first: Bob's question before Alice's answer.
    expect(text.indexOf('K+ 6.1')).toBeLessThan(text.indexOf('calcium gluconate'));

    const profileId = alice.core.runtime.requireOpen().session.profileId;
    expect(readAccessLog(alice.dataDir).entries.filter((e) => e.event === 'export')).toEqual([expect.objectContaining({ profileId, reason: 'pdf' })]);
    const own = alice.store.accessLog.list().filter((e) => e.event === 'export');
    expect(own.map((e) => JSON.parse(e.detail!) as unknown)).toEqual([{ format: 'pdf', conversationId: conversation.id, messageCount: 2 }]);
  }, 60_000);

  it('refuses with policy_forbids when the organisation does not allow export, and logs nothing', async () => {
    const conversation = (await alice.call('conversations.list', {}))[0]!;
    const ids = (await alice.call('messages.page', { conversationId: conversation.id })).messages.map((m) => m.id);
    policy.allowExport = false;
    try {
      await expect(alice.call('messages.export', { conversationId: conversation.id, messageIds: ids })).rejects.toMatchObject({ code: 'policy_forbids' });
    } finally {
      policy.allowExport = true;
    }
    expect(readAccessLog(alice.dataDir).entries.filter((e) => e.event === 'export')).toHaveLength(1);
  });

  it('refuses a message from another conversation', async () => {
    const conversation = (await alice.call('conversations.list', {}))[0]!;
    await expect(alice.call('messages.export', { conversationId: conversation.id, messageIds: ['0'.repeat(32)] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('draws a received picture into the PDF under its name line', async () => {
    const conversation = (await alice.call('conversations.list', {}))[0]!;
    const atBob = await bob.call('conversations.start', { userId: aliceCode.userId });
    const picture = pngOf(64, 48);
    await bob.call('attachments.send', { conversationId: atBob.id, name: 'wound-day3.png', mimeType: 'image/png', data: picture.toString('base64') });
    const received = await eventually('the picture at Alice', async () =>
      (await alice.call('messages.page', { conversationId: conversation.id })).messages.find((m) => m.attachment?.name === 'wound-day3.png' && m.attachment.state === 'ready'));
    const file = await alice.call('messages.export', { conversationId: conversation.id, messageIds: [received.id] });
    const raw = Buffer.from(file.data, 'base64').toString('latin1');
    expect(raw).toMatch(/\/Subtype \/Image \/Width 64 \/Height 48 /);
    expect(await pdfText(file.data)).toContain('[Attachment: wound-day3.png, image/png');
  }, 60_000);

  it('deletes exported messages from this workstation only, and says so to the page', async () => {
    const conversation = (await alice.call('conversations.list', {}))[0]!;
    const before = (await alice.call('messages.page', { conversationId: conversation.id })).messages;
    const gone = before.filter((m) => m.text.startsWith('Mr Evans') || m.attachment?.name === 'wound-day3.png');
    expect(gone).toHaveLength(2);
    const removed: unknown[] = [];
    const off = alice.core.events.on('messages.removed', (payload) => void removed.push(payload));
    try {
      expect(await alice.call('messages.delete', { conversationId: conversation.id, messageIds: gone.map((m) => m.id) })).toEqual({ deleted: 2 });
    } finally {
      off();
    }
    expect(removed).toEqual([{ messageIds: gone.map((m) => m.id) }]);
    const after = (await alice.call('messages.page', { conversationId: conversation.id })).messages;
    expect(after.map((m) => m.id)).toEqual(before.filter((m) => !gone.includes(m)).map((m) => m.id));
    expect((await alice.call('search.messages', { query: 'Evans' })).length).toBe(0);
    // The engine merges the search index right after, so the words leave its pages too.
    await vi.waitFor(() => expect(alice.core.runtime.current!.store.messages.searchMergePending()).toBe(false));
    // Bob keeps his copy.
    const atBob = (await bob.call('conversations.list', {}))[0]!;
    expect((await bob.call('messages.page', { conversationId: atBob.id })).messages.some((m) => m.text.startsWith('Mr Evans'))).toBe(true);
    await expect(alice.call('messages.delete', { conversationId: conversation.id, messageIds: [gone[0]!.id] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('tells the page when retention removed messages, so an open conversation drops them', async () => {
    const conversation = (await alice.call('conversations.list', {}))[0]!;
    expect((await alice.call('messages.page', { conversationId: conversation.id })).messages.length).toBeGreaterThan(0);
    const removed: unknown[] = [];
    const off = alice.core.events.on('messages.removed', (payload) => void removed.push(payload));
    try {
      policy.retentionDays = 1;
      clock.advance(2 * 24 * 60 * 60_000);
    } finally {
      off();
      policy.retentionDays = 0;
    }
    expect(removed).toEqual([{ messageIds: null }]);
    expect((await alice.call('messages.page', { conversationId: conversation.id })).messages).toEqual([]);
  });
});

/** A small valid RGB PNG (8 bits, filter None on every row). */
function pngOf(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
  return encodePng(width, height, 2, raw);
}
