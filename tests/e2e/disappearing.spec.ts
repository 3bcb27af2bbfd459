import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ColleagueProcess } from '../integration/messaging/colleague-process';
import { expect, screenshot, test } from './fixtures';
import { enrol, message, send, startConversation } from './flows';

/**
 * Issue 11, disappearing messages: Dr Alice Okafor, whose organisation keeps messages 7 days,
 * sets 1 day in a conversation with a colleague who runs headless (tests/harness/colleague.ts),
 * with the keyboard; 4 weeks is not offered, with the reason. The header and a line in the
 * conversation show it, and the colleague's workstation writes the same line.
 */
const ALICE = { username: 'aokafor', name: 'Dr Alice Okafor', pin: '482916' };
const BOB = { username: 'bsingh', name: 'Nurse Bob Singh' };
const LINE = "set disappearing messages to 1 day. New messages in this conversation are deleted from every member's workstations that long after they arrive.";

test('sets disappearing messages to 1 day from the header; longer than the policy allows is not offered', async ({ relay, workstation }, testInfo) => {
  test.setTimeout(120_000);
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  const bobCode = await relay.addUser(BOB.username, BOB.name);
  const dir = mkdtempSync(join(tmpdir(), 'wardline-e2e-colleague-'));
  const bob = new ColleagueProcess(['--data', dir, '--pin', '246801', '--relay', relay.url, '--code', bobCode.code, '--reply']);
  try {
    await bob.waitFor((l) => l.event === 'ready');
    const { page: alice } = await workstation({ policy: { retentionDays: 7 } });
    await enrol(alice, { relayUrl: relay.url, code: aliceCode.code, pin: ALICE.pin, name: ALICE.name });
    await startConversation(alice, 'singh', BOB.name);
    await send(alice, BOB.name, 'Handover at 8');
    await expect(message(alice, 'Thanks, noted.')).toBeVisible({ timeout: 20_000 });

    const control = alice.getByRole('button', { name: 'Disappearing messages: Off' });
    await test.step('the header says the timer is off; its dialog disables 4 weeks with the reason', async () => {
      await expect(control).toBeVisible();
      await control.press('Enter');
      const dialog = alice.getByRole('dialog', { name: 'Disappearing messages' });
      const choices = dialog.getByRole('group', { name: 'Delete new messages after' }).getByRole('radio');
      await expect(choices).toHaveCount(7);
      await expect(dialog.getByRole('radio', { name: 'Off' })).toBeChecked();
      await expect(dialog.getByRole('radio', { name: 'Off' })).toBeFocused();
      const fourWeeks = dialog.getByRole('radio', { name: /^4 weeks/ });
      await expect(fourWeeks).toBeDisabled();
      await expect(fourWeeks).toHaveAccessibleDescription(/Your organisation keeps messages at most 7 days/);
      await expect(dialog.getByRole('radio', { name: /^1 week/ })).toBeEnabled();
      // Arrow keys move through the choices: 5 minutes, 1 hour, 8 hours, 1 day.
      for (let i = 0; i < 4; i++) await alice.keyboard.press('ArrowDown');
      await expect(dialog.getByRole('radio', { name: '1 day' })).toBeChecked();
      await alice.screenshot({ path: testInfo.outputPath('disappearing-choices.png'), animations: 'disabled', caret: 'hide' });
      await dialog.getByRole('button', { name: 'Set' }).press('Enter');
      await expect(dialog).toHaveCount(0);
    });

    await test.step('the header and a line in the conversation show 1 day; the colleague gets the same line', async () => {
      await expect(alice.getByRole('button', { name: 'Disappearing messages: 1 day' })).toBeVisible();
      await expect(alice.getByRole('button', { name: 'Disappearing messages: 1 day' })).toBeFocused();
      await expect(message(alice, `You ${LINE}`)).toBeVisible();
      await bob.waitFor((l) => l.event === 'system' && l.text === `${ALICE.name} ${LINE}`);
      await screenshot(alice, testInfo, 'disappearing');
    });
  } finally {
    await bob.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
