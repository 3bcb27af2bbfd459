import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ColleagueProcess } from '../integration/messaging/colleague-process';
import { expect, screenshot, test } from './fixtures';
import { enrol, message } from './flows';

/**
 * Issue 10: Dr Alice Okafor, in the UI, makes a team group with two colleagues who run headless
 * (tests/harness/colleague.ts, the same core, answering every message), mentions one, watches the
 * read count reach everyone, and removes a member from the Members panel.
 */
const ALICE = { username: 'aokafor', name: 'Dr Alice Okafor', pin: '482916' };
const BOB = { username: 'bsingh', name: 'Nurse Bob Singh' };
const CAROL = { username: 'creyes', name: 'Dr Carol Reyes' };
const GROUP = 'Ward 7 night';

test('an admin creates a group, mentions a member, sees it read by everyone and removes a member', async ({ relay, workstation }, testInfo) => {
  test.setTimeout(150_000);
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  const colleagues: ColleagueProcess[] = [];
  const dirs: string[] = [];
  try {
    for (const [i, c] of [BOB, CAROL].entries()) {
      const issued = await relay.addUser(c.username, c.name);
      const dir = mkdtempSync(join(tmpdir(), 'wardline-e2e-colleague-'));
      dirs.push(dir);
      const colleague = new ColleagueProcess(['--data', dir, '--pin', `24680${i}`, '--relay', relay.url, '--code', issued.code, '--reply']);
      colleagues.push(colleague);
      await colleague.waitFor((l) => l.event === 'ready');
    }
    const { page: alice } = await workstation();
    await enrol(alice, { relayUrl: relay.url, code: aliceCode.code, pin: ALICE.pin, name: ALICE.name });

    await test.step('New group: a name and two colleagues from the directory, shown as chips', async () => {
      await alice.getByRole('button', { name: '+ New group' }).click();
      const dialog = alice.getByRole('dialog', { name: 'New group' });
      await expect(dialog.getByLabel('Group name')).toBeFocused();
      await dialog.getByLabel('Group name').fill(GROUP);
      const search = dialog.getByRole('searchbox', { name: 'Add colleagues by name' });
      await search.fill('singh');
      await dialog.getByRole('list', { name: 'Colleagues found' }).getByRole('button', { name: new RegExp(BOB.name) }).click();
      // The picked colleague leaves the results: focus goes back to the search box, not the page.
      await expect(search).toBeFocused();
      await search.fill('reyes');
      await dialog.getByRole('list', { name: 'Colleagues found' }).getByRole('button', { name: new RegExp(CAROL.name) }).press('Enter');
      const chips = dialog.getByRole('list', { name: 'Chosen colleagues' });
      await expect(chips.getByRole('listitem')).toHaveText([`${BOB.name}×`, `${CAROL.name}×`]);
      await expect(chips.getByRole('button', { name: `Remove ${CAROL.name}` })).toBeVisible();
      await alice.screenshot({ path: testInfo.outputPath('new-group.png'), animations: 'disabled', caret: 'hide' });
      await dialog.getByRole('button', { name: 'Create group with 3 members' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(alice.getByRole('heading', { level: 2, name: GROUP })).toBeVisible();
      await expect(message(alice, 'You created this group.')).toBeVisible();
      await expect(message(alice, /^You added/)).toBeVisible({ timeout: 20_000 });
      await expect(alice.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${GROUP} ?, group, 3 members`) })).toBeVisible();
    });

    const text = '@Nurse Bob Singh please review bed 4 before the ward round';
    await test.step('a message that mentions Bob, picked with the keyboard after @', async () => {
      const box = alice.getByRole('textbox', { name: `Message to ${GROUP}` });
      await box.pressSequentially('@nur');
      const options = alice.getByRole('listbox', { name: 'Mention a member' }).getByRole('option');
      await expect(options).toHaveText([BOB.name]);
      await box.press('Enter');
      await expect(box).toHaveValue(`@${BOB.name} `);
      // Chosen: the list closes, and typing goes on after the name (at once, not a frame later).
      await expect(options).toHaveCount(0);
      await box.pressSequentially('please review bed 4 before the ward round');
      await expect(box).toHaveValue(text);
      await box.press('Enter');
      const sent = message(alice, text);
      await expect(sent).toBeVisible();
      await expect(sent).toContainText('Read by 2 of 2', { timeout: 30_000 });
      await expect(message(alice, 'Thanks, noted.')).toHaveCount(2, { timeout: 20_000 });
      await screenshot(alice, testInfo, 'group');
    });
    await colleagues[0]!.waitFor((l) => l.event === 'received' && l.text === text);

    await test.step('the Members panel lists roles; the admin removes Carol and everyone sees the line', async () => {
      await alice.getByRole('button', { name: /^Members/ }).click();
      const panel = alice.getByRole('dialog', { name: `Members of ${GROUP}` });
      const members = panel.getByRole('list', { name: 'Members' }).getByRole('listitem');
      await expect(members).toHaveCount(3);
      await expect(members.filter({ hasText: ALICE.name })).toContainText('Admin');
      await expect(members.filter({ hasText: CAROL.name })).toContainText('Member');
      await expect(panel.getByRole('button', { name: 'Leave group' })).toBeVisible();
      await alice.screenshot({ path: testInfo.outputPath('group-members.png'), animations: 'disabled', caret: 'hide' });
      await panel.getByRole('button', { name: `Remove ${CAROL.name} from the group` }).click();
      await expect(members).toHaveCount(2, { timeout: 20_000 });
      await panel.getByRole('button', { name: 'Close' }).click();
      await expect(message(alice, `You removed ${CAROL.name}. Messages are now encrypted under new keys they do not have.`)).toBeVisible();
      await expect(alice.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${GROUP} ?, group, 2 members`) })).toBeVisible();
    });
  } finally {
    for (const c of colleagues) await c.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
