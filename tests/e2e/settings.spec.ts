import { expect, screenshot, test } from './fixtures';
import { enrol } from './flows';

/**
 * Issues #8 and #9: a setting the organisation fixed by policy shows as "Set by your
 * organisation" (read-only; the idle lock is a ceiling the clinician may only shorten); one it
 * left open stays the clinician's choice.
 */
test('settings fixed by policy say so and are ceilings: nothing more revealing, no longer idle lock', async ({ relay, workstation }, testInfo) => {
  const { page } = await workstation({ policy: { notificationContent: 'none', idleLockMinutes: 10 } });
  const code = await relay.addUser('aokafor', 'Dr Alice Okafor');
  await enrol(page, { relayUrl: relay.url, code: code.code, pin: '482916', name: 'Dr Alice Okafor' });
  await page.getByRole('button', { name: 'Settings' }).click();

  const notifications = page.getByRole('group', { name: 'Notifications' });
  await expect(notifications).toContainText('Set by your organisation: at most “No notifications”.');
  await expect(notifications.getByRole('radio')).toHaveCount(3);
  await expect(notifications.getByRole('radio', { name: /No notifications/ })).toBeChecked();
  await expect(notifications.getByRole('radio', { name: /Sender only/ })).toBeDisabled();
  await expect(notifications.getByRole('radio', { name: /Sender and message/ })).toBeDisabled();
  // The policy's 10 minutes is a ceiling: the clinician may lock sooner, never later.
  const idle = page.getByLabel('Lock after inactivity');
  await expect(page.getByText('Set by your organisation: at most 10 minutes. You may choose a shorter time.')).toBeVisible();
  const offered = await idle.locator('option').evaluateAll((options) => options.map((o) => Number((o as HTMLOptionElement).value)));
  expect(Math.max(...offered)).toBe(10);
  await idle.selectOption('2');
  await expect(page.getByRole('status').filter({ hasText: /saved/i })).toBeVisible();
  await expect(idle).toHaveValue('2');
  await screenshot(page, testInfo, 'settings-policy');
});

test('without a policy the clinician chooses within the defaults, which reveal nothing in notifications', async ({ relay, workstation }) => {
  const { page } = await workstation();
  const code = await relay.addUser('bsingh', 'Nurse Bob Singh');
  await enrol(page, { relayUrl: relay.url, code: code.code, pin: '907311', name: 'Nurse Bob Singh' });
  await page.getByRole('button', { name: 'Settings' }).click();
  // Without a policy the default still hides sender and content; a clinician cannot reveal more.
  const notifications = page.getByRole('group', { name: 'Notifications' });
  await expect(notifications).toContainText('Your organisation allows at most “No notifications”.');
  await expect(notifications).not.toContainText('Set by your organisation');
  await expect(notifications.getByRole('radio', { name: /Sender and message/ })).toBeDisabled();
  await expect(page.getByLabel('Lock after inactivity')).toBeEnabled();
});

test('a policy that allows sender names lets a clinician reveal less, never more', async ({ relay, workstation }) => {
  const { page } = await workstation({ policy: { notificationContent: 'sender' } });
  const code = await relay.addUser('creyes', 'Dr Carol Reyes');
  await enrol(page, { relayUrl: relay.url, code: code.code, pin: '551203', name: 'Dr Carol Reyes' });
  await page.getByRole('button', { name: 'Settings' }).click();
  const notifications = page.getByRole('group', { name: 'Notifications' });
  await expect(notifications).toContainText('Set by your organisation: at most “Sender only”.');
  await expect(notifications.getByRole('radio', { name: /Sender only/ })).toBeChecked();
  await expect(notifications.getByRole('radio', { name: /Sender and message/ })).toBeDisabled();
  // A controlled radio: it shows checked once main has saved the choice.
  await notifications.getByRole('radio', { name: /No notifications/ }).click();
  await expect(page.getByRole('status').filter({ hasText: /saved/i })).toBeVisible();
  await expect(notifications.getByRole('radio', { name: /No notifications/ })).toBeChecked();
});
