import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createPolicyProvider } from '../../../main/core/policy';
import type { PolicyProvider } from '../../../main/core/policy';
import { readAccessLog } from '../../../main/core/workstation';
import { addUser, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { eventually, tempDir, Workstation } from './support';

/** Real policy defaults, with allowExport switchable as if the organisation changed it. */
function switchablePolicy(): PolicyProvider & { allowExport: boolean } {
  const real = createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: null });
  const provider = {
    allowExport: true,
    current: () => ({ ...real.current(), values: { ...real.current().values, allowExport: provider.allowExport } }),
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
  alice = new Workstation(dir('alice'), { policy });
  bob = new Workstation(dir('bob'));
  await alice.call('profiles.enrol', { relayUrl: relay.url, code: aliceCode.code, pin: '482916' });
  await bob.call('profiles.enrol', { relayUrl: relay.url, code: bobCode.code, pin: '907311' });
  for (const w of [alice, bob]) await eventually('relay authentication', () => w.engine.relay.state === 'authenticated');
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
});
