import { expect, screenshot, test } from './fixtures';
import { enrol } from './flows';

/**
 * Issue #9: a setting the organisation fixed by policy shows read-only as "Set by your
 * organisation"; one it left open stays the clinician's choice.
 */
test('settings fixed by policy are read-only and say so; the others stay editable', async ({ relay, workstation }, testInfo) => {
  const { page } = await workstation({ policy: { notificationContent: 'none', idleLockMinutes: 10 } });
  const code = await relay.addUser('aokafor', 'Dr Alice Okafor');
  await enrol(page, { relayUrl: relay.url, code: code.code, pin: '482916', name: 'Dr Alice Okafor' });
  await page.getByRole('button', { name: 'Settings' }).click();

  const notifications = page.getByRole('group', { name: 'Notifications' });
  await expect(notifications).toContainText('Set by your organisation');
  const radios = notifications.getByRole('radio');
  await expect(radios).toHaveCount(3);
  for (const radio of await radios.all()) await expect(radio).toBeDisabled();
  await expect(notifications.getByRole('radio', { checked: true })).toHaveCount(1);
  const idle = page.getByLabel('Lock after inactivity');
  await expect(idle).toHaveAttribute('readonly', '');
  await expect(idle).toHaveValue(/10 min/);
  await screenshot(page, testInfo, 'settings-policy');
});

test('without a policy the clinician chooses, within the defaults', async ({ relay, workstation }) => {
  const { page } = await workstation();
  const code = await relay.addUser('bsingh', 'Nurse Bob Singh');
  await enrol(page, { relayUrl: relay.url, code: code.code, pin: '907311', name: 'Nurse Bob Singh' });
  await page.getByRole('button', { name: 'Settings' }).click();
  const notifications = page.getByRole('group', { name: 'Notifications' });
  for (const radio of await notifications.getByRole('radio').all()) await expect(radio).toBeEnabled();
  await expect(notifications).not.toContainText('Set by your organisation');
  await expect(page.getByLabel('Lock after inactivity')).toBeEnabled();
});
