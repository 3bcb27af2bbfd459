import type { Page, WebSocket } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WardlineApi } from '../../protocol/bridge';
import { expect, screenshot, startHost, test } from './fixtures';
import type { Relay, Workstation } from './fixtures';
import { enrol, expectLocked, expectNoMessageText, message, openConversation, send, startConversation, tile, unlock } from './flows';

/**
 * Issue #8: what a shared ward workstation must do around the open profile, on the web host with
 * the real core and the real relay: idle auto-lock (with its warning), OS lock events, two
 * clinicians switching on one workstation, nothing of a locked profile left in the page, and
 * notifications that name nobody.
 */
const ALICE = { username: 'aokafor', name: 'Dr Alice Okafor', pin: '482916' };
const BOB = { username: 'bsingh', name: 'Nurse Bob Singh', pin: '907311' };
const HANDOVER = 'Mrs Patel in bed 12 is nil by mouth from midnight';
const REPLY = 'Noted, fasting sign on the door of bed 12';

/** The page's window.wardline, as seen inside page.evaluate (the declaration is the renderer's). */
type PageWindow = { wardline: WardlineApi };

/** Bob enrols and locks, then Alice enrols on the same workstation: both tiles, Alice open. */
async function twoClinicians(relay: Relay, station: Workstation): Promise<void> {
  const { page } = station;
  const bobCode = await relay.addUser(BOB.username, BOB.name);
  const aliceCode = await relay.addUser(ALICE.username, ALICE.name);
  await enrol(page, { relayUrl: relay.url, code: bobCode.code, pin: BOB.pin, name: BOB.name });
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expectLocked(page, `${BOB.name}’s profile was locked.`);
  await enrol(page, { relayUrl: relay.url, code: aliceCode.code, pin: ALICE.pin, name: ALICE.name });
}

interface Invoke {
  method: string;
  input: unknown;
  at: number;
}

/** Every invoke the page sends over the web host's socket, as {method, input, at}. */
function invokesOf(page: Page): Invoke[] {
  const sent: Invoke[] = [];
  const watch = (ws: WebSocket) =>
    ws.on('framesent', (frame) => {
      const parsed = JSON.parse(String(frame.payload)) as { type?: string; method?: string; input?: unknown };
      if (parsed.type === 'invoke' && parsed.method) sent.push({ method: parsed.method, input: parsed.input, at: Date.now() });
    });
  page.on('websocket', watch);
  return sent;
}

test('an idle profile warns 30 s before the policy\'s minute is up, and then locks leaving no message in the page', async ({ relay, workstation }, testInfo) => {
  // One real minute (the policy's minimum) and the 30 s warning before it: one long wait.
  test.setTimeout(180_000);
  const station = await workstation({ policy: { idleLockMinutes: 1 } });
  const { page } = station;
  await twoClinicians(relay, station);
  await startConversation(page, 'singh', BOB.name);
  await send(page, BOB.name, HANDOVER);

  // From here on nothing touches the page: no key, no pointer, no wheel.
  const warning = page.getByRole('region', { name: 'Lock warning' });
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expect(warning).toContainText(/Locking in \d+ s — move the mouse or press a key to stay signed in/);
  await screenshot(page, testInfo, 'lock-warning');

  // Input main sees without the page seeing any (another window, the OS): main withdraws the
  // warning with profiles.lockWarningCleared and the banner goes.
  await page.evaluate(() => (window as unknown as PageWindow).wardline.workstation.activity());
  await expect(warning).toBeHidden({ timeout: 5_000 });
  await expect(page.getByRole('banner')).toContainText(`Signed in: ${ALICE.name}`);

  // A full idle minute from that activity: the warning again, then the lock.
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expectLocked(page, `${ALICE.name}’s profile was locked after inactivity.`, 45_000);
  await expectNoMessageText(page, [HANDOVER]);
  expect(station.host.notifications).toEqual([]);
});

test('two clinicians take turns on one workstation: shortcut and OS locks hide everything, notifications name no one', async ({ relay, workstation }, testInfo) => {
  test.setTimeout(120_000);
  const station = await workstation({ testHooks: true });
  const { page, host } = station;
  const invokes = invokesOf(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Who is using this workstation?' })).toBeVisible();
  await twoClinicians(relay, station);

  await test.step('Alice writes to Bob, who is locked on this same workstation', async () => {
    await startConversation(page, 'singh', BOB.name);
    await send(page, BOB.name, HANDOVER);
  });

  await test.step('input reaches main at most once per 5 s, and copying goes through main', async () => {
    const pings = () => invokes.filter((i) => i.method === 'workstation.activity');
    // Typing the message pinged; the next ping may come 5 s after that one.
    const last = pings().at(-1)?.at ?? 0;
    await page.waitForTimeout(Math.max(0, last + 5_100 - Date.now()));
    const before = pings().length;
    const box = page.getByRole('textbox', { name: `Message to ${BOB.name}` });
    await box.press('a');
    await expect.poll(() => pings().length).toBe(before + 1);
    await box.press('b');
    await page.mouse.wheel(0, 50);
    await box.press('c');
    // Main has answered everything sent so far: had a second ping been sent, it would be here.
    await expect.poll(() => page.evaluate(() => (window as unknown as PageWindow).wardline.app.info().then((r) => r.ok))).toBe(true);
    expect(pings().length).toBe(before + 1);
    await box.fill('');

    await message(page, HANDOVER).getByText(HANDOVER).selectText();
    await page.keyboard.press('Control+C');
    await expect.poll(() => invokes.filter((i) => i.method === 'clipboard.copy').map((i) => i.input)).toEqual([{ text: HANDOVER }]);
  });

  await test.step('Ctrl+Shift+L hides everything at once', async () => {
    await page.keyboard.press('Control+Shift+L');
    await expectLocked(page, `${ALICE.name}’s profile was locked with the keyboard shortcut.`);
    expect(invokes.filter((i) => i.method === 'profiles.lock').at(-1)?.input).toEqual({ reason: 'shortcut' });
    await expectNoMessageText(page, [HANDOVER]);
  });

  await test.step('Bob unlocks: Alice\'s message arrives, and the notification says only that there is one', async () => {
    await expect(tile(page, ALICE.name)).toBeVisible();
    await expect(tile(page, BOB.name)).toBeVisible();
    await unlock(page, BOB.name, BOB.pin);
    await openConversation(page, ALICE.name);
    await expect(message(page, HANDOVER)).toContainText(ALICE.name);
    await expect.poll(() => host.notifications.length).toBeGreaterThan(0);
    expect(host.notifications[0]).toEqual({ title: 'Wardline', body: 'New message in Wardline' });
    await send(page, ALICE.name, REPLY);
  });

  await test.step('the workstation locks (Win+L): Bob\'s profile is gone from the page', async () => {
    expect(await host.osEvent('lock-screen')).toEqual({ event: 'lock-screen', reason: 'os-lock', wasOpen: true });
    await expectLocked(page, `${BOB.name}’s profile was locked because the workstation was locked.`);
    await expectNoMessageText(page, [HANDOVER, REPLY]);
    await screenshot(page, testInfo, 'locked-by-os');
  });

  await test.step('Alice comes back to Bob\'s reply; sleep and a user switch each lock her out', async () => {
    await unlock(page, ALICE.name, ALICE.pin);
    await openConversation(page, BOB.name);
    await expect(message(page, REPLY)).toContainText(BOB.name);
    await expect(message(page, HANDOVER)).toBeVisible();
    expect(await host.osEvent('suspend')).toMatchObject({ reason: 'suspend', wasOpen: true });
    await expectLocked(page, `${ALICE.name}’s profile was locked because the workstation went to sleep.`);
    await expectNoMessageText(page, [HANDOVER, REPLY]);

    await unlock(page, ALICE.name, ALICE.pin);
    await openConversation(page, BOB.name);
    await expect(message(page, REPLY)).toBeVisible();
    expect(await host.osEvent('user-switch')).toMatchObject({ reason: 'user-switch', wasOpen: true });
    await expectLocked(page, `${ALICE.name}’s profile was locked because the Windows user changed.`);
    await expectNoMessageText(page, [HANDOVER, REPLY]);
  });

  await test.step('no notification named anyone or quoted a message', async () => {
    expect(host.notifications.length).toBeGreaterThan(0);
    for (const n of host.notifications) {
      expect(n.title).toBe('Wardline');
      expect(n.body).toMatch(/^(New message in Wardline|\d+ new messages in Wardline)$/);
    }
  });
});

test('the OS-event hook needs the token, takes only OS events, and exists only with --test-hooks', async ({ host }) => {
  const post = (origin: string, token: string, body: unknown) =>
    fetch(`${origin}/__harness/os-event?token=${encodeURIComponent(token)}`, { method: 'POST', body: JSON.stringify(body) });
  expect((await post(host.origin, host.token, { event: 'lock-screen' })).status).toBe(405);

  const dataDir = mkdtempSync(join(tmpdir(), 'wardline-e2e-'));
  const hooked = await startHost(dataDir, { testHooks: true });
  try {
    expect((await post(hooked.origin, 'wrong', { event: 'lock-screen' })).status).toBe(403);
    expect((await post(hooked.origin, hooked.token, { event: 'shutdown' })).status).toBe(400);
    // Nothing is open: the event is taken, and there is nothing to lock.
    expect(await hooked.osEvent('suspend')).toEqual({ event: 'suspend', reason: 'suspend', wasOpen: false });
  } finally {
    await hooked.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
