import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

function enrolOnDisk(dataDir: string, id: string, facts: Record<string, unknown>): void {
  mkdirSync(join(dataDir, 'profiles', id), { recursive: true });
  writeFileSync(join(dataDir, 'profiles', id, 'profile.json'), JSON.stringify(facts));
}

test('an empty workstation shows the question and an Add profile button', async ({ page, host }, testInfo) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Who is using this workstation?' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Profiles on this workstation' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Add profile/ })).toBeVisible();
  await expect(page.getByText('No one has enrolled on this workstation yet.')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('who-is-here-empty.png'), fullPage: true });
});

test('profiles found on disk by main/core appear as tiles, most recently used first', async ({ page, host }, testInfo) => {
  enrolOnDisk(host.dataDir, 'profile-alice-0001', { displayName: 'Dr Alice Okafor', userId: 'aokafor', lastUsedAt: Date.UTC(2026, 11, 3, 8, 30) });
  enrolOnDisk(host.dataDir, 'profile-bob-00002', { displayName: 'Nurse Bob Singh', userId: 'bsingh', lastUsedAt: Date.UTC(2026, 11, 4, 7, 0) });
  await page.goto(host.url);
  const tiles = page.getByRole('list', { name: 'Profiles on this workstation' }).getByRole('button');
  await expect(tiles).toHaveCount(3);
  await expect(tiles.nth(0)).toContainText('Nurse Bob Singh');
  await expect(tiles.nth(1)).toContainText('Dr Alice Okafor');
  await expect(tiles.nth(2)).toContainText('Add profile');
  await page.screenshot({ path: testInfo.outputPath('who-is-here-profiles.png'), fullPage: true });
});

test('the page cannot reach the core without the run token', async ({ page, host }) => {
  const response = await page.goto(host.url.replace(/token=[^&]+/, 'token=wrong'));
  expect(response?.status()).toBe(403);
});

test('the renderer runs under the CSP: no inline script executes', async ({ page, host }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) violations.push(msg.text());
  });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.appendChild(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  expect(violations.length).toBeGreaterThan(0);
  expect(violations.join('\n')).not.toContain('bridge.js');
});
