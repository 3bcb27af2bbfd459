import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyProvider } from '../../../main/core/policy';
import type { PolicyProvider } from '../../../main/core/policy';
import { addUser, cli, startRelay } from '../relay/support/relay-process';
import type { IssuedCode, RelayProcess } from '../relay/support/relay-process';
import { enrolAll, conversationWith, eventually, failure, systemLines, tempDir, Workstation } from './support';

/**
 * Disappearing messages through the API the renderer calls, on the real relay: Dr Alice Okafor
 * on two workstations (ward and office) and Nurse Bob Singh on one. The ward's policy can set a
 * retention period, as if the organisation changed it.
 */
function switchablePolicy(): PolicyProvider & { retentionDays: number } {
  const real = createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: null });
  const provider = {
    retentionDays: 0,
    current: () => ({ ...real.current(), values: { ...real.current().values, retentionDays: provider.retentionDays } }),
    refresh: () => provider.current(),
  };
  return provider;
}

const HOUR = 3600;
const SET_LINE = "Dr Alice Okafor set disappearing messages to 1 hour. New messages in this conversation are deleted from every member's workstations that long after they arrive.";

let relay: RelayProcess;
const dirs: { remove(): void }[] = [];
const policy = switchablePolicy();
let aliceWard: Workstation;
let aliceOffice: Workstation;
let bob: Workstation;
let alice: IssuedCode;
let bobCode: IssuedCode;

function dir(name: string): string {
  const t = tempDir(name);
  dirs.push(t);
  return t.dir;
}

beforeAll(async () => {
  relay = await startRelay();
  alice = await addUser(relay.dataDir, 'aokafor', 'Dr Alice Okafor');
  const aliceSecond = await cli<IssuedCode>(relay.dataDir, 'user', 'code', 'aokafor');
  bobCode = await addUser(relay.dataDir, 'bsingh', 'Nurse Bob Singh');
  aliceWard = new Workstation(dir('alice-ward'), { policy });
  aliceOffice = new Workstation(dir('alice-office'));
  bob = new Workstation(dir('bob'));
  await enrolAll(relay.url, [[aliceWard, alice.code, '482916'], [aliceOffice, aliceSecond.code, '551203'], [bob, bobCode.code, '907311']]);
}, 120_000);

afterAll(async () => {
  for (const w of [aliceWard, aliceOffice, bob]) await w?.close().catch(() => undefined);
  await relay?.kill();
  for (const d of dirs) d.remove();
});

describe('disappearing messages through the API', () => {
  let atWard = '';
  let atBob = '';

  it('sets 1 hour on the ward workstation; Bob and Alice\'s office workstation show the same timer and a line saying who set it', async () => {
    const started = await aliceWard.call('conversations.start', { userId: bobCode.userId });
    atWard = started.id;
    expect(started).toMatchObject({ disappearingSeconds: 0, disappearingMaxSeconds: 28 * 24 * HOUR });
    await aliceWard.call('messages.send', { conversationId: atWard, text: 'Handover at 8' });
    atBob = (await conversationWith(bob, alice.userId)).id;

    const view = await aliceWard.call('conversations.setDisappearing', { conversationId: atWard, seconds: HOUR });
    expect(view).toMatchObject({ id: atWard, disappearingSeconds: HOUR });
    expect(await systemLines(aliceWard, atWard)).toEqual([SET_LINE.replace('Dr Alice Okafor', 'You')]);

    await eventually('the timer at Bob', async () => (await conversationWith(bob, alice.userId)).disappearingSeconds === HOUR);
    // A line in the conversation, not a security notice.
    await eventually('the line at Bob', async () => (await systemLines(bob, atBob)).includes(SET_LINE));
    expect(await systemLines(bob, atBob)).toEqual([SET_LINE]);

    await eventually('the timer at the office', async () => (await conversationWith(aliceOffice, bobCode.userId)).disappearingSeconds === HOUR);
    const atOffice = (await conversationWith(aliceOffice, bobCode.userId)).id;
    await eventually('the line at the office', async () => (await systemLines(aliceOffice, atOffice)).length > 0);
    expect(await systemLines(aliceOffice, atOffice)).toEqual([SET_LINE.replace('Dr Alice Okafor', 'You')]);
  });

  it('refuses a timer longer than the organisation keeps messages with invalid_input, and changes nothing', async () => {
    policy.retentionDays = 7;
    try {
      const listed = (await aliceWard.call('conversations.list', {})).find((c) => c.id === atWard);
      expect(listed?.disappearingMaxSeconds).toBe(7 * 24 * HOUR);
      const refused = await failure(aliceWard.call('conversations.setDisappearing', { conversationId: atWard, seconds: 28 * 24 * HOUR }));
      expect(refused.code).toBe('invalid_input');
      expect(refused.message).toContain('Your organisation keeps messages at most 1 week');
      expect((await aliceWard.call('conversations.list', {})).find((c) => c.id === atWard)?.disappearingSeconds).toBe(HOUR);
      expect(await systemLines(aliceWard, atWard)).toHaveLength(1);
      // Within the policy is still fine.
      await expect(aliceWard.call('conversations.setDisappearing', { conversationId: atWard, seconds: 7 * 24 * HOUR })).resolves.toMatchObject({ disappearingSeconds: 7 * 24 * HOUR });
    } finally {
      policy.retentionDays = 0;
    }
  });

  it('lets Bob turn it off; both of Alice\'s workstations follow', async () => {
    await eventually('the week at Bob', async () => (await conversationWith(bob, alice.userId)).disappearingSeconds === 7 * 24 * HOUR);
    await expect(bob.call('conversations.setDisappearing', { conversationId: atBob, seconds: 0 })).resolves.toMatchObject({ disappearingSeconds: 0 });
    for (const w of [aliceWard, aliceOffice]) {
      await eventually('off at Alice', async () => (await conversationWith(w, bobCode.userId)).disappearingSeconds === 0);
      const id = (await conversationWith(w, bobCode.userId)).id;
      await eventually('the line at Alice', async () => (await systemLines(w, id)).at(-1) === 'Nurse Bob Singh turned off disappearing messages.');
    }
  });

  it('answers not_found for a conversation this workstation does not have', async () => {
    const missing = await failure(aliceWard.call('conversations.setDisappearing', { conversationId: 'direct:nobody', seconds: HOUR }));
    expect(missing.code).toBe('not_found');
  });
});
