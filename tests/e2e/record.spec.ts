import { readFileSync } from 'node:fs';
import { expect, screenshot, test } from './fixtures';
import { enrol, message, openConversation, send, startConversation } from './flows';

/**
 * Issue #11 in the interface: an urgent message alerts until it is acknowledged and the sender
 * sees the acknowledgement; chosen messages are exported to PDF for the patient record and may
 * then be deleted from the workstation; a policy can forbid the export.
 */
const ALICE = { username: 'aokafor', name: 'Dr Alice Okafor', pin: '482916' };
const BOB = { username: 'bsingh', name: 'Nurse Bob Singh', pin: '907311' };
const URGENT = 'Bed 7 sats 84% on 4 L, please review now';

test('an urgent message alerts until acknowledged; the sender sees it; the clinician exports and then deletes chosen messages', async ({ relay, workstation }, testInfo) => {
  test.setTimeout(120_000);
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  const bobCode = await relay.addUser(BOB.username, BOB.name);
  const { page: alice, host: aliceHost } = await workstation();
  const { page: bob } = await workstation();
  await enrol(alice, { relayUrl: relay.url, code: aliceCode.code, pin: ALICE.pin, name: ALICE.name });
  await enrol(bob, { relayUrl: relay.url, code: bobCode.code, pin: BOB.pin, name: BOB.name });

  await test.step('Bob sends an urgent message; Alice is alerted without its content and sees Acknowledge', async () => {
    await startConversation(bob, 'okafor', ALICE.name);
    await send(bob, ALICE.name, 'Routine: obs due at 14:00');
    await bob.getByRole('checkbox', { name: 'Urgent' }).check();
    await send(bob, ALICE.name, URGENT);
    await expect(message(bob, URGENT)).toContainText('Urgent');

    await expect.poll(() => aliceHost.notifications.some((n) => n.body.startsWith('Urgent message')), { timeout: 20_000 }).toBe(true);
    expect(aliceHost.notifications.some((n) => `${n.title} ${n.body}`.includes('sats'))).toBe(false);
    await openConversation(alice, BOB.name);
    const urgent = message(alice, URGENT);
    await expect(urgent).toContainText('Urgent');
    await expect(urgent.getByRole('button', { name: 'Acknowledge' })).toBeVisible();
    // Only the urgent one asks for an acknowledgement.
    await expect(message(alice, 'Routine: obs due').getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  });

  await test.step('Alice acknowledges: her alert clears and Bob sees when', async () => {
    const urgent = message(alice, URGENT);
    await urgent.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(urgent.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    await expect(urgent).toContainText(/Acknowledged by you at \d\d:\d\d/);
    await expect(message(bob, URGENT)).toContainText(/Acknowledged at \d\d:\d\d/, { timeout: 20_000 });
  });

  await test.step('Alice selects two messages with the keyboard and the mouse, and exports them to PDF', async () => {
    await send(alice, BOB.name, 'Reviewed: start 2 L more O2, chest X-ray ordered');
    await alice.getByRole('button', { name: 'Select', exact: true }).click();
    const bar = alice.getByRole('toolbar', { name: 'Selected messages' });
    await expect(bar.getByRole('status')).toHaveText('0 selected');
    await expect(bar.getByRole('button', { name: 'Export to PDF' })).toBeDisabled();
    await message(alice, URGENT).getByRole('checkbox').focus();
    await alice.keyboard.press('Space');
    await message(alice, 'Reviewed: start').getByRole('checkbox', { name: /^Select message from you at/ }).check();
    await expect(bar.getByRole('status')).toHaveText('2 selected');
    await screenshot(alice, testInfo, 'export-select');

    const download = alice.waitForEvent('download');
    await bar.getByRole('button', { name: 'Export to PDF' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^wardline-export-\d{8}-\d{4}\.pdf$/);
    const pdf = readFileSync((await file.path())!).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    // Uncompressed text: the chosen messages are in it, the other one is not.
    expect(pdf).toContain('Bed 7 sats 84% on 4 L');
    expect(pdf).toContain('chest X-ray ordered');
    expect(pdf).not.toContain('Routine: obs due');
  });

  await test.step('then deletes them from this workstation; Bob keeps his copies', async () => {
    const dialog = alice.getByRole('dialog', { name: 'Exported to PDF' });
    await expect(dialog).toContainText('2 messages saved as wardline-export-');
    await dialog.getByRole('button', { name: 'Delete exported messages from this workstation' }).click();
    await expect(dialog).toBeHidden();
    await expect(message(alice, URGENT)).toHaveCount(0);
    await expect(message(alice, 'Reviewed: start')).toHaveCount(0);
    await expect(message(alice, 'Routine: obs due')).toBeVisible();
    await expect(alice.getByRole('toolbar', { name: 'Selected messages' })).toHaveCount(0);
    await expect(message(bob, URGENT)).toBeVisible();
  });
});

test('when the organisation forbids export, select mode says so and offers no export', async ({ relay, workstation }) => {
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  await relay.addUser(BOB.username, BOB.name);
  const { page } = await workstation({ policy: { allowExport: false } });
  await enrol(page, { relayUrl: relay.url, code: aliceCode.code, pin: ALICE.pin, name: ALICE.name });
  await startConversation(page, 'singh', BOB.name);
  await send(page, BOB.name, 'Handover at 19:30 in the day room');
  await page.getByRole('button', { name: 'Select', exact: true }).click();
  await message(page, 'Handover at 19:30').getByRole('checkbox').check();
  const bar = page.getByRole('toolbar', { name: 'Selected messages' });
  await expect(bar.getByRole('status')).toHaveText('1 selected');
  const exportButton = bar.getByRole('button', { name: 'Export to PDF' });
  await expect(exportButton).toBeDisabled();
  await expect(exportButton).toHaveAccessibleDescription('Your organisation does not allow exporting messages from Wardline.');
  await expect(bar).toContainText('Your organisation does not allow exporting messages from Wardline.');
});
