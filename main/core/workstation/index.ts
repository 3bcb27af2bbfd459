/**
 * What a shared ward workstation needs beyond messaging: the idle and OS-event lock, the access
 * logs, private notifications and the clipboard guard. Plain Node with an injected clock.
 */
export { IdleLockController, activityIdleSource, DEFAULT_POLL_MS, DEFAULT_WARN_SECONDS } from './idle-lock';
export type { IdleLockOptions } from './idle-lock';
export { ACCESS_EVENTS, ACCESS_REASONS, MachineAccessLog, accessLogDir, accessLogFile, formatAccessLine, readAccessLog } from './access-log';
export type { AccessEvent, AccessLogEntry, AccessReason, AccessRecord, MachineAccessLogOptions } from './access-log';
export { AccessAudit } from './access-audit';
export type { AccessAuditOptions, AuditedSession } from './access-audit';
export { GENERIC_BODY, NOTIFICATION_TITLE, Notifier, burstText, notificationText, urgentText } from './notifications';
export { URGENT_REPEAT_MS, UrgentAlerts } from './urgent-alerts';
export type { UrgentAlertsOptions } from './urgent-alerts';
export type { NotificationText, NotifierOptions, ShownNotification } from './notifications';
export { ClipboardGuard } from './clipboard';
export type { ClipboardGuardOptions, ClipboardLike } from './clipboard';
export { systemTimers } from './timers';
export type { Timers } from './timers';
export { Workstation } from './workstation';
export type { WorkstationOptions, WorkstationSettings } from './workstation';
