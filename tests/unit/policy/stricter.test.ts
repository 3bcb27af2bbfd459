import { describe, expect, it } from 'vitest';
import { readPolicy } from '../../../main/core/policy/reader';
import type { EffectivePolicy } from '../../../main/core/policy/reader';
import { SET_BY_ORGANISATION, buildSettingsView } from '../../../main/core/policy/settings-view';
import { effectiveClipboardClearSeconds, effectiveIdleLockMinutes, effectiveNotificationContent } from '../../../main/core/policy/stricter';
import { FakeRegistry, recordingLog } from './fakes';

function policyWith(machine: Record<string, string | number>): EffectivePolicy {
  return readPolicy({ registry: new FakeRegistry({ HKLM: machine }), files: null, log: recordingLog() });
}

describe('settings a clinician may only make stricter', () => {
  it('idle lock: a shorter personal time applies, a longer or malformed one does not', () => {
    const policy = policyWith({ IdleLockMinutes: 15 });
    expect(effectiveIdleLockMinutes(policy, 2)).toBe(2);
    expect(effectiveIdleLockMinutes(policy, 60)).toBe(15);
    for (const bad of [0, -5, 2.5, Number.NaN, null, undefined]) expect(effectiveIdleLockMinutes(policy, bad)).toBe(15);
    expect(effectiveIdleLockMinutes(policyWith({}), 30), 'the default is a ceiling too').toBe(5);
  });

  it('notification content: only ever less revealing (none < sender < full)', () => {
    const sender = policyWith({ NotificationContent: 'sender' });
    expect(effectiveNotificationContent(sender, 'none')).toBe('none');
    expect(effectiveNotificationContent(sender, 'sender')).toBe('sender');
    expect(effectiveNotificationContent(sender, 'full')).toBe('sender');
    expect(effectiveNotificationContent(sender, 'everything')).toBe('sender');
    expect(effectiveNotificationContent(sender, null)).toBe('sender');
    expect(effectiveNotificationContent(policyWith({}), 'full')).toBe('none');
  });

  it('clipboard: a shorter delay applies; 0 (never clear) is the loosest choice, never the strictest', () => {
    const sixty = policyWith({ ClipboardClearSeconds: 60 });
    expect(effectiveClipboardClearSeconds(sixty, 10)).toBe(10);
    expect(effectiveClipboardClearSeconds(sixty, 600)).toBe(60);
    expect(effectiveClipboardClearSeconds(sixty, 0)).toBe(60);
    const never = policyWith({ ClipboardClearSeconds: 0 });
    expect(effectiveClipboardClearSeconds(never, 30)).toBe(30);
    expect(effectiveClipboardClearSeconds(never, null)).toBe(0);
  });
});

describe('settings view', () => {
  it('marks what the organisation fixed as locked and shows effective values under its ceilings', () => {
    const policy = policyWith({ IdleLockMinutes: 10, RelayUrl: 'https://relay.hospital.example', MinPinLength: 8 });
    const view = buildSettingsView(policy, { idleLockMinutes: 3, notificationLevel: 'full' });
    expect(view).toEqual({
      notificationLevel: { value: 'none', locked: false },
      idleLockMinutes: { value: 3, locked: true },
      maxIdleLockMinutes: 10,
      maxNotificationLevel: 'none',
      minPinLength: 8,
      maxPinAttempts: 10,
      relayUrl: { value: 'https://relay.hospital.example/', locked: true },
      allowSaveAttachments: false,
      allowExport: true,
    });
    expect(SET_BY_ORGANISATION).toBe('Set by your organisation');
  });
});
