import { randomBytes } from '@noble/hashes/utils.js';
import { conversationView, messageView } from './api/views';
import { CoreEvents } from './events';
import { createPolicyProvider, effectiveClipboardClearSeconds, effectiveIdleLockMinutes, effectiveNotificationContent } from './policy';
import type { PolicyProvider } from './policy';
import { readPreferences } from './runtime/preferences';
import { ProfileRuntime } from './runtime/runtime';
import { listProfiles } from './vault/profile-directory';
import type { RuntimeOptions } from './runtime/runtime';
import type { DeviceSecretProvider } from './vault';
import { activityIdleSource, systemTimers, Workstation } from './workstation';
import type { WorkstationOptions } from './workstation';

export interface CoreOptions {
  /** The app's data folder: Electron's userData, or a folder the web host or a test chose. */
  dataDir: string;
  /** Which host runs this core; reported to the renderer by app.info. */
  host: 'electron' | 'web-host';
  version: string;
  /** The OS keystore in Electron; the explicitly insecure file provider in the web host and tests. */
  deviceSecrets: DeviceSecretProvider;
  allowInsecureDeviceSecret?: boolean;
  policy?: PolicyProvider;
  /** Electron passes powerMonitor, its clipboard and notifications; the web host uses page activity. */
  workstation?: Partial<Pick<WorkstationOptions, 'idle' | 'clipboard' | 'showNotification' | 'timers'>>;
  /** Test knobs: a cheaper KDF, faster reconnects, a clock (and the engine's timers, for retention and urgent checks). */
  runtime?: Pick<RuntimeOptions, 'kdf' | 'argon2id' | 'checkpointer' | 'reconnectDelayMs' | 'now' | 'timers'>;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

/**
 * The state of main/core for one running app: the data folder, the event channel to the
 * renderer, the policy, the profile runtime and the shared-workstation protections. Both hosts
 * create exactly one and hand it to the same API handlers.
 */
export interface Core {
  readonly options: Readonly<CoreOptions>;
  readonly events: CoreEvents;
  readonly policy: PolicyProvider;
  readonly runtime: ProfileRuntime;
  readonly workstation: Workstation;
  /** The web host's idle source: renderer activity pings. Absent in Electron (the OS measures idle time). */
  readonly activity: (() => void) | null;
}

export function createCore(options: CoreOptions): Core {
  const events = new CoreEvents();
  const log = options.log ?? (() => undefined);
  const policy = options.policy ?? createPolicyProvider({ log: { warn: (message) => log('policy.warning', { message }) } });
  const timers = options.workstation?.timers ?? systemTimers;
  const pageActivity = options.workstation?.idle ? null : activityIdleSource(timers);
  let memoryClipboard = '';

  const workstation: Workstation = new Workstation({
    dataDir: options.dataDir,
    timers,
    idle: options.workstation?.idle ?? pageActivity!,
    clipboard: options.workstation?.clipboard ?? {
      writeText: (text) => void (memoryClipboard = text),
      readText: () => memoryClipboard,
      clear: () => void (memoryClipboard = ''),
    },
    showNotification: options.workstation?.showNotification,
    settings: () => {
      const p = policy.current();
      const prefs = readPreferences(runtime.current?.store ?? null);
      return {
        idleLockMinutes: effectiveIdleLockMinutes(p, prefs.idleLockMinutes),
        notificationLevel: effectiveNotificationContent(p, prefs.notificationLevel),
        clipboardClearSeconds: effectiveClipboardClearSeconds(p, null),
      };
    },
    lock: (reason) => runtime.lock(reason),
    warn: (secondsLeft) => events.emit('profiles.lockWarning', { secondsLeft }),
    warnCleared: () => events.emit('profiles.lockWarningCleared', {}),
    onError: (err) => log('workstation.error', { error: err instanceof Error ? err.message : String(err) }),
  });

  // Engine events carry ids; the renderer gets views, built from the open profile at that moment.
  const runtime: ProfileRuntime = new ProfileRuntime({
    dataDir: options.dataDir,
    deviceSecrets: options.deviceSecrets,
    allowInsecureDeviceSecret: options.allowInsecureDeviceSecret,
    policy,
    rng: randomBytes,
    log,
    timers,
    ...options.runtime,
    hooks: {
      unlocked: (session, enrolled) => {
        workstation.unlocked(session, enrolled);
        // Urgent messages still unacknowledged alert again: locking dropped their alerts.
        const open = runtime.current;
        if (open) for (const m of session.store.messages.openUrgent()) workstation.urgent.raise(m.id, messageView(open, m).senderName);
      },
      beforeLock: (session, reason) => workstation.beforeLock(session, reason),
      unlockFailed: (profileId, err, before) => workstation.audit.unlockFailed(profileId, err, before),
    },
    events: {
      locked: (profileId, reason) => events.emit('profiles.locked', { profileId, reason }),
      // The tile now says the profile was erased by the organisation.
      wiped: (profileId) => {
        workstation.audit.wiped(profileId);
        events.emit('profiles.changed', listProfiles(options.dataDir));
      },
      messageAdded: (id) => {
        const view = emitMessage('messages.added', id);
        // A group's own lines (created, added, left) are written here, not sent by anyone: no notification.
        if (!view || view.fromMe || view.kind === 'system') return;
        if (view.urgent && view.acknowledgedAt === null) workstation.urgent.raise(view.id, view.senderName);
        else workstation.notifier.message({ senderName: view.senderName, text: view.text, mention: view.mentionsMe });
      },
      messageChanged: (id) => {
        const view = emitMessage('messages.updated', id);
        if (view?.acknowledgedAt != null) workstation.urgent.acknowledged(view.id);
      },
      attachmentArrived: (id) => void emitMessage('messages.updated', id),
      transferProgress: (attachmentId, direction, loaded, total) => events.emit('attachments.progress', { attachmentId, direction, loaded, total }),
      conversationsChanged: () => scheduleConversations(),
      // Retention deleted messages: an open conversation drops them from the screen too.
      messagesRemoved: () => events.emit('messages.removed', { messageIds: null }),
    },
  });
  // The list (with unread counts) is rebuilt at most every 100 ms: a burst of messages is one update, not thousands.
  let conversationsTimer: NodeJS.Timeout | null = null;
  function scheduleConversations(): void {
    if (conversationsTimer) return;
    conversationsTimer = setTimeout(() => {
      conversationsTimer = null;
      const open = runtime.current;
      if (open) events.emit('conversations.changed', open.store.conversations.list().map((c) => conversationView(open, c)));
    }, 100);
    conversationsTimer.unref?.();
  }
  function emitMessage(event: 'messages.added' | 'messages.updated', id: string) {
    const open = runtime.current;
    const record = open?.store.messages.get(id);
    if (!open || !record) return null;
    const view = messageView(open, record);
    events.emit(event, view);
    return view;
  }
  return { options: Object.freeze({ ...options }), events, policy, runtime, workstation, activity: pageActivity ? () => pageActivity.activity() : null };
}
