import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupMember, issueCode, issueUsers } from '../../harness/group-members';
import { eventually } from '../messaging/support';
import { startRelay } from '../relay/support/relay-process';
import type { RelayProcess } from '../relay/support/relay-process';

/**
 * Issue 11: disappearing-message timers agree across members and devices. Dr Alice Okafor has
 * two workstations (ward, office); Nurse Bob Singh and Dr Carol Reyes one each. Real engines,
 * real stores, the real relay.
 */
let relay: RelayProcess;
let aliceWard: GroupMember;
let aliceOffice: GroupMember;
let bob: GroupMember;
let carol: GroupMember;

beforeAll(async () => {
  relay = await startRelay();
  const [alice, bobUser, carolUser] = issueUsers(relay.dataDir, [
    { username: 'aokafor', displayName: 'Dr Alice Okafor' },
    { username: 'bsingh', displayName: 'Nurse Bob Singh' },
    { username: 'creyes', displayName: 'Dr Carol Reyes' },
  ]) as [ReturnType<typeof issueUsers>[number], ReturnType<typeof issueUsers>[number], ReturnType<typeof issueUsers>[number]];
  aliceWard = await GroupMember.enrol(relay.url, alice);
  aliceOffice = await GroupMember.enrol(relay.url, issueCode(relay.dataDir, alice));
  bob = await GroupMember.enrol(relay.url, bobUser);
  carol = await GroupMember.enrol(relay.url, carolUser);
  for (const m of [aliceWard, aliceOffice, bob, carol]) await eventually('relay authentication', () => m.engine.relay.state === 'authenticated');
}, 120_000);

afterAll(async () => {
  for (const m of [aliceWard, aliceOffice, bob, carol]) await m?.close().catch(() => undefined);
  await relay?.kill();
});

const timerOf = (m: GroupMember, conversationId: string) => m.store.conversations.get(conversationId)?.disappearSeconds;
const lines = (m: GroupMember, conversationId: string) =>
  m.store.messages.page(conversationId, { limit: 100 }).items.filter((x) => x.kind === 'system').map((x) => x.body);

describe('disappearing-message timers agreed end to end', () => {
  it('reach the colleague and our own other workstation in a direct conversation', async () => {
    const toBob = await aliceWard.engine.startConversation({ userId: bob.userId, displayName: 'Nurse Bob Singh' });
    aliceWard.engine.sendText(toBob, 'Bed 4 bloods due at 14:00');
    const toAlice = `direct:${aliceWard.userId}`;
    await eventually('Bob has the conversation', () => bob.store.conversations.get(toAlice) !== null);
    await eventually('office has it', () => aliceOffice.store.conversations.get(toBob) !== null);
    aliceWard.engine.setDisappearing(toBob, 3600);
    await eventually('Bob applies 1 hour', () => timerOf(bob, toAlice) === 3600);
    await eventually('office applies 1 hour', () => timerOf(aliceOffice, toBob) === 3600);
    expect(lines(bob, toAlice)[0]).toMatch(/^Dr Alice Okafor set disappearing messages to 1 hour\./);
    expect(lines(aliceOffice, toBob)[0]).toMatch(/^You set disappearing messages to 1 hour\./);
  }, 60_000);

  it('settle on the same timer everywhere when two people set it at once', async () => {
    const toBob = `direct:${bob.userId}`;
    const toAlice = `direct:${aliceWard.userId}`;
    aliceWard.engine.setDisappearing(toBob, 300);
    bob.engine.setDisappearing(toAlice, 86400);
    await eventually('all three agree', () => {
      const seen = [timerOf(aliceWard, toBob), timerOf(aliceOffice, toBob), timerOf(bob, toAlice)];
      const timers = [aliceWard.store.conversations.timer(toBob), aliceOffice.store.conversations.timer(toBob), bob.store.conversations.timer(toAlice)];
      return seen.every((s) => s === seen[0]) && timers.every((t) => t && t.setAt === timers[0]!.setAt && t.setBy === timers[0]!.setBy) && seen;
    }, 30_000);
    const winner = aliceWard.store.conversations.timer(toBob)!;
    expect([300, 86400]).toContain(winner.seconds);
  }, 60_000);

  it('reach every member and device of a group, and turn off the same way', async () => {
    const group = aliceWard.engine.groups.create('Ward 7 nights', [bob.userId, carol.userId]);
    await eventually('everyone joined', () => [aliceOffice, bob, carol].every((m) => m.store.groups.get(group) !== null), 30_000);
    carol.engine.setDisappearing(group, 8 * 3600);
    await eventually('8 hours everywhere', () => [aliceWard, aliceOffice, bob, carol].every((m) => timerOf(m, group) === 8 * 3600), 30_000);
    expect(lines(bob, group)).toContainEqual(expect.stringMatching(/^Dr Carol Reyes set disappearing messages to 8 hours\./));
    aliceOffice.engine.setDisappearing(group, 0);
    await eventually('off everywhere', () => [aliceWard, aliceOffice, bob, carol].every((m) => timerOf(m, group) === 0), 30_000);
    expect(lines(carol, group)).toContainEqual('Dr Alice Okafor turned off disappearing messages.');
  }, 90_000);

  it('refuses a timer longer than the organisation keeps messages', () => {
    expect(() => aliceWard.engine.setDisappearing(`direct:${bob.userId}`, 5 * 7 * 86400)).toThrow(/at most 4 weeks/);
  });
});
