/**
 * npm run bench:scroll [-- --json]
 * The conversation view at 100,000 messages, in Debian's Chromium against the web host and the
 * real core: a clinician's profile is enrolled through the UI, 100,000 messages are written into
 * its encrypted store (the web host's --test-hooks seed), and the conversation is scrolled upward
 * frame by frame, loading older pages as it goes. Reports frame times, the rows in the DOM (the
 * virtualised list keeps them few) and how far back the scroll reached.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from '../playwright.config';
import { startHost } from '../tests/e2e/fixtures';
import { addUser, startRelay } from '../tests/integration/relay/support/relay-process';

const json = process.argv.includes('--json');
const COUNT = 100_000;
const FRAMES = 600;

async function main(): Promise<void> {
  const relay = await startRelay();
  const host = await startHost(mkdtempSync(join(tmpdir(), 'wardline-scroll-')), { testHooks: true, coreInProcess: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const me = await addUser(relay.dataDir, 'sokoro', 'Dr Sam Okoro');
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    await page.getByRole('button', { name: /Add profile/ }).click();
    await page.getByLabel('Relay address').fill(relay.url);
    await page.getByLabel('Enrolment code').fill(me.code);
    await page.getByLabel('PIN', { exact: true }).fill('482916');
    await page.getByLabel('PIN again').fill('482916');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: 30_000 });

    const seeded = performance.now();
    const res = await fetch(`${host.origin}/__harness/seed?token=${host.token}`, {
      method: 'POST',
      body: JSON.stringify({ peerUserId: '00000000-0000-4000-8000-00000000b0b0', peerName: 'Nurse Bob Singh', count: COUNT }),
    });
    if (res.status !== 200) throw new Error(`seed failed: ${res.status}`);
    const seedMs = performance.now() - seeded;
    // The profile stays unlocked in the host; reloading the page shows the seeded conversation.
    await page.reload();
    await page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: 30_000 });
    const opened = performance.now();
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /Nurse Bob Singh/ }).click();
    await page.getByRole('list', { name: 'Messages' }).getByRole('listitem').last().waitFor();
    const openMs = performance.now() - opened;

    const result = await page.evaluate(async (frames) => {
      const region = document.querySelector('[role="region"][aria-label^="Messages with"]') as HTMLElement;
      const times: number[] = [];
      let maxRows = 0;
      let last = performance.now();
      for (let i = 0; i < frames; i++) {
        region.scrollTop = Math.max(0, region.scrollTop - 400);
        await new Promise(requestAnimationFrame);
        const now = performance.now();
        times.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, document.querySelectorAll('[role="list"][aria-label="Messages"] [role="listitem"]').length);
      }
      const texts = [...document.querySelectorAll('[role="list"][aria-label="Messages"] [role="listitem"]')].map((e) => e.textContent ?? '');
      const oldest = Math.min(...texts.map((t) => Number(/Ward round note (\d+)/.exec(t)?.[1] ?? Infinity)));
      return { times, maxRows, oldest };
    }, FRAMES);
    const sorted = [...result.times].sort((a, b) => a - b);
    const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    const out = {
      messages: COUNT,
      seedMs,
      openConversationMs: openMs,
      frames: FRAMES,
      frameMs: { p50: pick(0.5), p95: pick(0.95), max: sorted.at(-1) ?? NaN },
      maxRowsInDom: result.maxRows,
      scrolledBackTo: COUNT - result.oldest,
    };
    const f = (n: number) => n.toFixed(1);
    console.log('| measure | value |\n|---|---:|');
    console.log(`| messages in the conversation | ${COUNT.toLocaleString('en-GB')} |`);
    console.log(`| open the conversation (click to last row shown) | ${f(openMs)} ms |`);
    console.log(`| frame time while scrolling up, p50 / p95 / max (${FRAMES} frames, 400 px each) | ${f(out.frameMs.p50)} / ${f(out.frameMs.p95)} / ${f(out.frameMs.max)} ms |`);
    console.log(`| message rows in the DOM at most | ${out.maxRowsInDom} |`);
    console.log(`| messages scrolled back through | ${out.scrolledBackTo.toLocaleString('en-GB')} |`);
    if (json) console.log(JSON.stringify(out));
  } finally {
    await browser.close();
    await host.stop();
    await relay.kill();
  }
}

void main();
