/**
 * Every setting the organisation can fix, in one table: its validation, its default, and how it
 * appears in Group Policy (registry value name and type, ADMX policy name). The ADMX/ADML templates
 * in build/policy and docs/deploying.md are written from this table; tests/unit/policy checks the
 * templates against it both ways, so a setting cannot exist in one and be missing from the other.
 */
import { z } from 'zod';
import { DirectoryPublicKey, RelayUrl } from './validators';

/** The registry key, under HKLM (machine policy) and HKCU (user policy). */
export const POLICY_KEY = 'Software\\Policies\\Wardline';

export type RegistryType = 'REG_SZ' | 'REG_DWORD';

export const NOTIFICATION_CONTENT = ['none', 'sender', 'full'] as const;
export type NotificationContent = (typeof NOTIFICATION_CONTENT)[number];

interface Common {
  /** Registry value name, also the ADMX policy name (one policy per setting). */
  valueName: string;
  registryType: RegistryType;
  /** One line for the admin: what the setting does. The ADML explain text says more. */
  description: string;
}

export interface IntegerSetting extends Common {
  kind: 'integer';
  min: number;
  max: number;
  default: number;
  schema: z.ZodType<number>;
}

export interface BooleanSetting extends Common {
  kind: 'boolean';
  default: boolean;
  schema: z.ZodType<boolean>;
}

export interface EnumSetting<T extends string> extends Common {
  kind: 'enum';
  values: readonly T[];
  default: T;
  schema: z.ZodType<T>;
}

export interface TextSetting extends Common {
  kind: 'text';
  /** null: nothing fixed, the clinician supplies it (at enrolment). */
  default: null;
  schema: z.ZodType<string, string>;
}

export type SettingSpec = IntegerSetting | BooleanSetting | EnumSetting<string> | TextSetting;

/** The value of every setting once policy is applied. Plain JSON, so it can cross the bridge. */
export interface PolicyValues {
  relayUrl: string | null;
  directoryPublicKey: string | null;
  idleLockMinutes: number;
  maxPinAttempts: number;
  minPinLength: number;
  notificationContent: NotificationContent;
  allowScreenCapture: boolean;
  clipboardClearSeconds: number;
  allowSaveAttachments: boolean;
  allowExport: boolean;
  retentionDays: number;
  urgentUndeliveredMinutes: number;
}

/** Ties each row of SETTINGS to the type of its value, so the table and PolicyValues cannot drift. */
type SpecFor<T> = [T] extends [boolean]
  ? BooleanSetting
  : [T] extends [number]
    ? IntegerSetting
    : null extends T
      ? TextSetting
      : EnumSetting<Extract<T, string>>;

function integer(valueName: string, min: number, max: number, value: number, description: string): IntegerSetting {
  return { kind: 'integer', valueName, registryType: 'REG_DWORD', min, max, default: value, description, schema: z.number().int().min(min).max(max) };
}

function boolean(valueName: string, value: boolean, description: string): BooleanSetting {
  return { kind: 'boolean', valueName, registryType: 'REG_DWORD', default: value, description, schema: z.boolean() };
}

function text(valueName: string, schema: z.ZodType<string, string>, description: string): TextSetting {
  return { kind: 'text', valueName, registryType: 'REG_SZ', default: null, description, schema };
}

export const SETTINGS = {
  relayUrl: text('RelayUrl', RelayUrl, "The organisation's relay (https:// or wss://; http only for 127.0.0.1 or localhost)."),
  directoryPublicKey: text(
    'DirectoryPublicKey',
    DirectoryPublicKey,
    "The relay's directory signing key (Ed25519, 32 bytes as base64 or hex) that must have signed every contact's device certificate.",
  ),
  idleLockMinutes: integer('IdleLockMinutes', 1, 240, 5, 'Minutes without input before a profile locks. Clinicians may choose shorter, never longer.'),
  maxPinAttempts: integer('MaxPinAttempts', 3, 20, 10, "Wrong PINs in a row before the profile's key is destroyed and the clinician must enrol again."),
  minPinLength: integer('MinPinLength', 4, 12, 6, 'Fewest digits a new PIN may have.'),
  notificationContent: {
    kind: 'enum',
    valueName: 'NotificationContent',
    registryType: 'REG_SZ',
    values: NOTIFICATION_CONTENT,
    default: 'none',
    schema: z.enum(NOTIFICATION_CONTENT),
    description: 'What a notification shows: none (just "New message"), sender, or full (sender and text). Clinicians may choose less, never more.',
  } satisfies EnumSetting<NotificationContent>,
  allowScreenCapture: boolean('AllowScreenCapture', false, 'Whether screenshots, screen sharing and recording can see Wardline windows.'),
  clipboardClearSeconds: integer(
    'ClipboardClearSeconds',
    0,
    3600,
    60,
    'Seconds after which text copied from Wardline is cleared from the clipboard; 0 never clears it.',
  ),
  allowSaveAttachments: boolean('AllowSaveAttachments', false, 'Whether clinicians may save received pictures and files outside Wardline.'),
  allowExport: boolean('AllowExport', true, 'Whether clinicians may export a conversation to PDF for the patient record.'),
  retentionDays: integer('RetentionDays', 0, 3650, 0, 'Days after which messages and attachments are deleted from every profile; 0 keeps them.'),
  urgentUndeliveredMinutes: integer(
    'UrgentUndeliveredMinutes',
    1,
    120,
    10,
    'Minutes an urgent message may stay undelivered before the sender is alerted to escalate.',
  ),
} as const satisfies { [K in keyof PolicyValues]: SpecFor<PolicyValues[K]> };

export type SettingName = keyof PolicyValues;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function defaultValues(): PolicyValues {
  // Each default's type is checked against PolicyValues by the `satisfies` on SETTINGS.
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].default])) as unknown as PolicyValues;
}

/** Registry value names are case-insensitive in Windows, so look-ups are too. */
export function settingForValueName(valueName: string): SettingName | undefined {
  const wanted = valueName.toLowerCase();
  return SETTING_NAMES.find((name) => SETTINGS[name].valueName.toLowerCase() === wanted);
}
