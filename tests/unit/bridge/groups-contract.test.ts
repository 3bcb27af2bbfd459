import { describe, expect, it, vi } from 'vitest';
import type { Mock } from 'vitest';
import { createDispatch } from '../../../main/core/api/dispatch';
import type { Handlers } from '../../../main/core/api/dispatch';
import { METHOD_NAMES } from '../../../protocol/channels';
import type { MethodName } from '../../../protocol/channels';

/** Handlers that only record that they ran: a refused input must reach none of them. */
function spyHandlers() {
  return Object.fromEntries(METHOD_NAMES.map((name) => [name, vi.fn((): unknown => null)])) as Record<MethodName, Mock<() => unknown>> & Handlers;
}

const GROUP = 'group:00112233445566778899aabbccddeeff';
const USER = '3f2a9c1e-7b44-4d0e-9a51-2f6c8d0b1e77';

describe('the groups contract', () => {
  it.each<[string, MethodName, unknown]>([
    ['a create without a name', 'groups.create', { memberUserIds: [USER] }],
    ['a create with a blank name', 'groups.create', { name: '   ', memberUserIds: [USER] }],
    ['a create with a 257-character name', 'groups.create', { name: 'x'.repeat(257), memberUserIds: [USER] }],
    ['a create with no members', 'groups.create', { name: 'Ward 7', memberUserIds: [] }],
    ['a create with 500 other members', 'groups.create', { name: 'Ward 7', memberUserIds: Array.from({ length: 500 }, (_, i) => `u${i}`) }],
    ['a create with an empty user id', 'groups.create', { name: 'Ward 7', memberUserIds: [''] }],
    ['a create with an extra field', 'groups.create', { name: 'Ward 7', memberUserIds: [USER], admins: [USER] }],
    ['info without a conversation', 'groups.info', {}],
    ['a change of an unknown type', 'groups.change', { conversationId: GROUP, change: { type: 'delete' } }],
    ['a change without a type', 'groups.change', { conversationId: GROUP, change: { userIds: [USER] } }],
    ['an add with one user id instead of a list', 'groups.change', { conversationId: GROUP, change: { type: 'add', userId: USER } }],
    ['a remove of nobody', 'groups.change', { conversationId: GROUP, change: { type: 'remove', userIds: [] } }],
    ['a promote with a list', 'groups.change', { conversationId: GROUP, change: { type: 'promote', userIds: [USER] } }],
    ['a demote of a 129-character id', 'groups.change', { conversationId: GROUP, change: { type: 'demote', userId: 'u'.repeat(129) } }],
    ['a rename to nothing', 'groups.change', { conversationId: GROUP, change: { type: 'rename', name: '' } }],
    ['a rename to 257 characters', 'groups.change', { conversationId: GROUP, change: { type: 'rename', name: 'n'.repeat(257) } }],
    ['a leave that names someone', 'groups.change', { conversationId: GROUP, change: { type: 'leave', userId: USER } }],
    ['a change as a string', 'groups.change', { conversationId: GROUP, change: 'leave' }],
    ['mentions that are not a list', 'messages.send', { conversationId: GROUP, text: 'hi', mentions: USER }],
    ['an empty mention list', 'messages.send', { conversationId: GROUP, text: 'hi', mentions: [] }],
    ['51 mentions', 'messages.send', { conversationId: GROUP, text: 'hi', mentions: Array.from({ length: 51 }, (_, i) => `u${i}`) }],
  ])('refuses %s with invalid_input and reaches no handler', async (_what, method, input) => {
    const handlers = spyHandlers();
    const result = await createDispatch(handlers)(method, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(Object.values(handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
  });

  it.each<[string, MethodName, unknown]>([
    ['a create', 'groups.create', { name: ' Ward 7 night ', memberUserIds: [USER] }],
    ['info', 'groups.info', { conversationId: GROUP }],
    ['an add', 'groups.change', { conversationId: GROUP, change: { type: 'add', userIds: [USER] } }],
    ['a remove', 'groups.change', { conversationId: GROUP, change: { type: 'remove', userIds: [USER] } }],
    ['a promote', 'groups.change', { conversationId: GROUP, change: { type: 'promote', userId: USER } }],
    ['a demote', 'groups.change', { conversationId: GROUP, change: { type: 'demote', userId: USER } }],
    ['a rename', 'groups.change', { conversationId: GROUP, change: { type: 'rename', name: 'Ward 7 days' } }],
    ['a leave', 'groups.change', { conversationId: GROUP, change: { type: 'leave' } }],
    ['a message with mentions', 'messages.send', { conversationId: GROUP, text: '@Bob hi', mentions: [USER] }],
  ])('passes %s to its handler', async (_what, method, input) => {
    const handlers = spyHandlers();
    await expect(createDispatch(handlers)(method, input)).resolves.toMatchObject({ ok: true });
    expect(handlers[method]).toHaveBeenCalledOnce();
  });

  it('hands the handler the trimmed name', async () => {
    const handlers = spyHandlers();
    await createDispatch(handlers)('groups.create', { name: '  Ward 7 night  ', memberUserIds: [USER] });
    expect(handlers['groups.create']).toHaveBeenCalledWith({ name: 'Ward 7 night', memberUserIds: [USER] });
  });
});
