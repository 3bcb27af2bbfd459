import type { Locator, Page } from '@playwright/test';
import { encodePng } from '../support/png';
import { expect } from './fixtures';

/**
 * What a clinician does, step by step, through the UI only: roles, labels and accessible names,
 * the way a screen reader would find them. Each step also checks that it landed where it should.
 */

/** "Add profile" on the first screen, then the enrolment form with a code from IT and a PIN typed twice. */
export async function enrol(page: Page, input: { relayUrl: string; code: string; pin: string; name: string }): Promise<void> {
  await page.getByRole('button', { name: /Add profile/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Add a profile' })).toBeVisible();
  await page.getByLabel('Relay address').fill(input.relayUrl);
  await page.getByLabel('Enrolment code').fill(input.code);
  await page.getByLabel('PIN', { exact: true }).fill(input.pin);
  await page.getByLabel('PIN again').fill(input.pin);
  await page.getByRole('button', { name: 'Enrol', exact: true }).click();
  await expectSignedIn(page, input.name);
}

/** The open profile's top bar names whoever is signed in. */
export async function expectSignedIn(page: Page, name: string): Promise<void> {
  await expect(page.getByRole('banner')).toContainText(`Signed in: ${name}`, { timeout: 20_000 });
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
}

/** The profile's tile on "Who is using this workstation?". */
export function tile(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Profiles on this workstation' }).getByRole('button', { name: new RegExp(`^${escape(name)}`) });
}

/** From the first screen: choose the tile, type the PIN, Unlock. Does not check the outcome. */
export async function tryPin(page: Page, name: string, pin: string): Promise<void> {
  if (await page.getByRole('heading', { level: 1, name: 'Who is using this workstation?' }).isVisible()) await tile(page, name).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

export async function unlock(page: Page, name: string, pin: string): Promise<void> {
  await tryPin(page, name, pin);
  await expectSignedIn(page, name);
}

/** Back on the first screen with the reason in its notice, and the open profile gone. */
export async function expectLocked(page: Page, notice: string | RegExp, timeout?: number): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Who is using this workstation?' })).toBeVisible({ timeout });
  await expect(page.getByRole('status').filter({ hasText: notice })).toBeVisible();
  await expect(page.getByRole('banner')).toHaveCount(0);
}

/** "New conversation", find the colleague in the directory, open the conversation. */
export async function startConversation(page: Page, query: string, name: string): Promise<void> {
  await page.getByRole('button', { name: '+ New conversation' }).click();
  await page.getByRole('searchbox', { name: 'Find a colleague by name' }).fill(query);
  await page.getByRole('list', { name: 'Directory results' }).getByRole('button', { name: new RegExp(escape(name)) }).click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

/** Opens a conversation from the sidebar by the colleague's name. */
export async function openConversation(page: Page, name: string): Promise<void> {
  await page.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(escape(name)) }).click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

/** Types into the composer and presses Enter; the message then shows in the list. */
export async function send(page: Page, recipient: string, text: string): Promise<void> {
  await page.getByRole('textbox', { name: `Message to ${recipient}` }).fill(text);
  await page.getByRole('textbox', { name: `Message to ${recipient}` }).press('Enter');
  await expect(message(page, text)).toBeVisible();
}

/** One message in the open conversation's list. */
export function message(page: Page, text: string | RegExp): Locator {
  return page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
}

/**
 * Nothing of what was read stays in the page: neither in what is shown (innerText) nor anywhere
 * in the markup (outerHTML: attributes, hidden nodes, titles).
 */
export async function expectNoMessageText(page: Page, texts: readonly string[]): Promise<void> {
  const dom = await page.evaluate(() => ({ text: document.body.innerText, html: document.documentElement.outerHTML }));
  for (const text of texts) {
    expect(dom.text, `"${text}" is still shown after locking`).not.toContain(text);
    expect(dom.html, `"${text}" is still in the DOM after locking`).not.toContain(text);
  }
}

/** A real, valid PNG of random noise (so it does not compress), `width` × `height` pixels. */
export function noisePng(width: number, height: number, seed = 1): Buffer {
  let state = seed >>> 0 || 1;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      // A gradient with faint noise: the file stays large (noise does not compress), the
      // picture calm enough to recognise in a screenshot.
      raw[row + 1 + x * 3] = 40 + (next() >> 6);
      raw[row + 2 + x * 3] = Math.floor((x / width) * 160) + (next() >> 6);
      raw[row + 3 + x * 3] = Math.floor((y / height) * 160) + 60 + (next() >> 6);
    }
  }
  return encodePng(width, height, 2, raw, 1);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
