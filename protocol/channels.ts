/**
 * The names of every renderer-callable method and every main-to-renderer event, without their
 * schemas. The preload and the web host's page script import only this file (no zod in the
 * sandboxed preload); contract.ts is checked at compile time to declare exactly these names.
 */
export const METHOD_NAMES = [
  'app.info',
  'policy.settings',
  'settings.update',
  'profiles.list',
  'profiles.enrol',
  'profiles.unlock',
  'profiles.lock',
  'profiles.changePin',
  'profiles.current',
  'conversations.list',
  'conversations.start',
  'conversations.setDisappearing',
  'groups.create',
  'groups.info',
  'groups.change',
  'messages.page',
  'messages.send',
  'messages.retry',
  'messages.markRead',
  'messages.acknowledge',
  'messages.export',
  'messages.delete',
  'attachments.send',
  'attachments.open',
  'directory.search',
  'search.messages',
  'contacts.get',
  'contacts.setVerified',
  'clipboard.copy',
  'workstation.activity',
] as const;

export const EVENT_NAMES = [
  'profiles.changed',
  'profiles.locked',
  'profiles.lockWarning',
  'profiles.lockWarningCleared',
  'conversations.changed',
  'messages.added',
  'messages.updated',
  'attachments.progress',
  'messages.removed',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

const methodSet: ReadonlySet<string> = new Set(METHOD_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && methodSet.has(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && eventSet.has(name);
}
