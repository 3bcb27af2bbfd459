import { expect, screenshot, test } from './fixtures';
import { enrol, expectLocked, expectSignedIn, message, noisePng, openConversation, send, startConversation, tile, tryPin, unlock } from './flows';

/**
 * Issue #7: two clinicians, each on their own workstation (a web host with its own data folder),
 * against the real relay: enrol, chat both ways, a picture, search, safety numbers, lock and a
 * wrong PIN. Each main screen is photographed on the way (docs/screenshots with WARDLINE_SCREENSHOTS=1).
 */
const ALICE = { username: 'aokafor', name: 'Dr Alice Okafor', pin: '482916' };
const BOB = { username: 'bsingh', name: 'Nurse Bob Singh', pin: '907311' };
const FIRST = 'Bed 4 needs a review before noon, sats 91% on 2 litres';
const REPLY = 'On my way after the ward round';

test('two new clinicians enrol, chat both ways, share a picture, search, verify safety numbers and lock', async ({ relay, workstation }, testInfo) => {
  test.setTimeout(150_000);
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  const bobCode = await relay.addUser(BOB.username, BOB.name);
  const { page: alice } = await workstation();
  const { page: bob } = await workstation();

  await test.step('each enrols with a code from IT and chooses a PIN', async () => {
    await alice.getByRole('button', { name: /Add profile/ }).click();
    await alice.getByLabel('Relay address').fill(relay.url);
    await alice.getByLabel('Enrolment code').fill(aliceCode.code);
    await alice.getByLabel('PIN', { exact: true }).fill(ALICE.pin);
    await alice.getByLabel('PIN again').fill(ALICE.pin);
    await screenshot(alice, testInfo, 'enrol', true);
    await alice.getByRole('button', { name: 'Enrol', exact: true }).click();
    await expectSignedIn(alice, ALICE.name);
    await enrol(bob, { relayUrl: relay.url, code: bobCode.code, pin: BOB.pin, name: BOB.name });
    await expect(alice.getByRole('heading', { level: 2, name: `Hello, ${ALICE.name}` })).toBeVisible();
    await expect(alice.getByText('No conversations yet.')).toBeVisible();
  });

  await test.step('Bob finds Alice in the directory and they chat both ways', async () => {
    await bob.getByRole('button', { name: '+ New conversation' }).click();
    await bob.getByRole('searchbox', { name: 'Find a colleague by name' }).fill('okafor');
    await expect(bob.getByRole('list', { name: 'Directory results' }).getByRole('button')).toHaveCount(1);
    await expect(bob.getByRole('status').filter({ hasText: '1 found.' })).toBeVisible();
    await screenshot(bob, testInfo, 'new-conversation');
    await startConversation(bob, 'okafor', ALICE.name);
    await send(bob, ALICE.name, FIRST);
    await openConversation(alice, BOB.name);
    await expect(message(alice, FIRST)).toContainText(BOB.name);
    await send(alice, BOB.name, REPLY);
    await expect(message(bob, REPLY)).toBeVisible();
    await expect(message(bob, FIRST)).toBeVisible();
  });

  await test.step('Alice sends a picture: progress while it goes, and Bob sees the picture', async () => {
    // Every progress bar that appears, however briefly, with its name and value.
    await alice.evaluate(() => {
      const seen: { name: string; value: number | null; max: number | null }[] = [];
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      const record = () => {
        for (const bar of document.querySelectorAll('progress')) {
          seen.push({ name: bar.getAttribute('aria-label') ?? '', value: bar.hasAttribute('value') ? bar.value : null, max: bar.hasAttribute('max') ? bar.max : null });
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] });
    });
    const png = noisePng(1400, 1000);
    const chooser = alice.waitForEvent('filechooser');
    await alice.getByRole('button', { name: 'Attach a file or picture' }).click();
    await (await chooser).setFiles({ name: 'wound-day3.png', mimeType: 'image/png', buffer: png });
    const sent = message(alice, 'wound-day3.png');
    await expect(sent).toBeVisible();
    await expect(sent.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
    const seen = await alice.evaluate(() => (window as unknown as { progressSeen: { name: string; value: number | null; max: number | null }[] }).progressSeen);
    // Determinate progress: part of the encrypted size (larger than the file) sent, then all of it.
    const moving = seen.filter((s) => s.name === 'Uploading wound-day3.png' && s.value !== null && s.max !== null);
    expect(moving.length).toBeGreaterThan(0);
    expect(moving[0]!.max).toBeGreaterThan(png.length);
    expect(moving.some((s) => s.value! > 0 && s.value! < s.max!)).toBe(true);

    await openConversation(bob, ALICE.name);
    const received = message(bob, 'wound-day3.png');
    await expect(received).toBeVisible();
    await expect(received.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
    await received.getByRole('button', { name: /Open image wound-day3\.png/ }).click();
    const viewer = bob.getByRole('dialog', { name: 'wound-day3.png' });
    await expect(viewer).toBeVisible();
    const picture = viewer.getByRole('img', { name: 'wound-day3.png' });
    await expect(picture).toBeVisible();
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([1400, 1000]);
    await screenshot(bob, testInfo, 'picture');
    await bob.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
    // The conversation list says what the newest message is, even without text.
    await expect(bob.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(ALICE.name) })).toContainText('Attachment');
  });

  await test.step('Bob finds Alice\'s reply with search and opens the conversation at it', async () => {
    await bob.getByRole('searchbox', { name: 'Search all messages' }).fill('ward round');
    await bob.getByRole('button', { name: 'Search', exact: true }).click();
    const hits = bob.getByRole('list', { name: 'Search results' }).getByRole('button');
    await expect(hits).toHaveCount(1);
    await expect(hits.first()).toContainText(ALICE.name);
    await expect(hits.first().locator('mark')).toHaveText(['ward', 'round']);
    await screenshot(bob, testInfo, 'search');
    await hits.first().click();
    await expect(bob.getByRole('heading', { level: 2, name: ALICE.name })).toBeVisible();
    await expect(message(bob, REPLY)).toBeVisible();
    // The message itself takes focus, so keyboard and screen-reader users land on it too.
    await expect(bob.locator(':focus')).toContainText(REPLY);
  });

  await test.step('both see the same safety number and Alice marks Bob verified', async () => {
    const digits = async (page: typeof alice) => {
      await page.getByRole('button', { name: 'Contact and safety number' }).click();
      const number = page.getByRole('list', { name: 'Safety number, 12 groups of 5 digits' }).getByRole('listitem');
      await expect(number).toHaveCount(12);
      return number.allTextContents();
    };
    const atAlice = await digits(alice);
    const atBob = await digits(bob);
    expect(atAlice.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(atAlice).toEqual(atBob);
    await expect(alice.getByRole('img', { name: `QR code of the safety number with ${BOB.name}` })).toBeVisible();
    await alice.getByRole('button', { name: 'Mark as verified' }).click();
    await expect(alice.getByRole('button', { name: 'Clear verification' })).toBeVisible();
    await screenshot(alice, testInfo, 'safety-number');
    await alice.getByRole('button', { name: '← Back to the conversation' }).click();
    await expect(alice.getByRole('heading', { level: 2, name: BOB.name })).toBeVisible();
    await expect(alice.getByRole('main').getByText('Verified', { exact: true })).toBeVisible();
    await screenshot(alice, testInfo, 'conversation');
  });

  await test.step('Alice locks; a wrong PIN shows the attempts left; her PIN opens it again', async () => {
    await alice.getByRole('button', { name: 'Lock', exact: true }).click();
    await expectLocked(alice, `${ALICE.name}’s profile was locked.`);
    await expect(tile(alice, ALICE.name)).toBeVisible();
    await screenshot(alice, testInfo, 'who-is-here');
    await tryPin(alice, ALICE.name, '000000');
    await expect(alice.getByRole('alert')).toHaveText('Wrong PIN. 9 attempts left before this profile is erased.');
    await screenshot(alice, testInfo, 'unlock-wrong-pin');
    await unlock(alice, ALICE.name, ALICE.pin);
    await expectSignedIn(alice, ALICE.name);
    await openConversation(alice, BOB.name);
    await expect(message(alice, REPLY)).toBeVisible();
    await expect(message(alice, FIRST)).toBeVisible();
  });
});
