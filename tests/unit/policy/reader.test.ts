import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLocked, readPolicy } from '../../../main/core/policy/reader';
import { SETTINGS, SETTING_NAMES, defaultValues } from '../../../main/core/policy/schema';
import type { SettingName } from '../../../main/core/policy/schema';
import { FakeRegistry, policyFile, recordingLog } from './fakes';

describe('readPolicy precedence', () => {
  it('uses the defaults, locking nothing, when no source sets anything', () => {
    const policy = readPolicy({ registry: new FakeRegistry(), files: policyFile(null), log: recordingLog() });
    expect(policy.values).toEqual(defaultValues());
    expect(policy.warnings).toEqual([]);
    for (const name of SETTING_NAMES) expect(isLocked(policy, name)).toBe(false);
    expect(policy.values).toMatchObject({ idleLockMinutes: 5, maxPinAttempts: 10, minPinLength: 6, notificationContent: 'none' });
    expect(policy.values).toMatchObject({ allowScreenCapture: false, clipboardClearSeconds: 60, allowSaveAttachments: false, allowExport: true });
    expect(policy.values).toMatchObject({ retentionDays: 0, urgentUndeliveredMinutes: 10, relayUrl: null, directoryPublicKey: null });
  });

  it('takes machine policy over user policy over the policy file over the default, setting by setting', () => {
    const registry = new FakeRegistry({
      HKLM: { IdleLockMinutes: 2 },
      HKCU: { IdleLockMinutes: 3, NotificationContent: 'sender' },
    });
    const files = policyFile({ idleLockMinutes: 4, notificationContent: 'full', minPinLength: 8 });
    const policy = readPolicy({ registry, files, log: recordingLog() });

    expect(policy.values.idleLockMinutes).toBe(2);
    expect(policy.values.notificationContent).toBe('sender');
    expect(policy.values.minPinLength).toBe(8);
    expect(policy.values.maxPinAttempts).toBe(10);
    expect(policy.sourceOf).toMatchObject({ idleLockMinutes: 'machine', notificationContent: 'user', minPinLength: 'file', maxPinAttempts: 'default' });
    expect([isLocked(policy, 'idleLockMinutes'), isLocked(policy, 'minPinLength'), isLocked(policy, 'maxPinAttempts')]).toEqual([true, true, false]);
    expect(registry.reads).toEqual(['HKLM\\Software\\Policies\\Wardline', 'HKCU\\Software\\Policies\\Wardline']);
  });

  it('always lets the highest source that sets a valid value win (any combination of sources)', () => {
    const layers = ['machine', 'user', 'file'] as const;
    const minutes = fc.option(fc.integer({ min: 1, max: 240 }), { nil: undefined });
    fc.assert(
      fc.property(fc.tuple(minutes, minutes, minutes), ([machine, user, file]) => {
        const registry = new FakeRegistry({
          HKLM: machine === undefined ? {} : { IdleLockMinutes: machine },
          HKCU: user === undefined ? {} : { IdleLockMinutes: user },
        });
        const files = { path: 'policy.json', read: () => (file === undefined ? null : JSON.stringify({ idleLockMinutes: file })) };
        const policy = readPolicy({ registry, files, log: recordingLog() });
        const set = [machine, user, file];
        const winner = set.findIndex((v) => v !== undefined);
        expect(policy.values.idleLockMinutes).toBe(winner < 0 ? 5 : set[winner]);
        expect(policy.sourceOf.idleLockMinutes).toBe(winner < 0 ? 'default' : layers[winner]);
      }),
      { numRuns: 200 },
    );
  });

  it('works without a registry (Linux) and without a policy file', () => {
    expect(readPolicy({ registry: null, files: policyFile({ retentionDays: 30 }), log: recordingLog() }).values.retentionDays).toBe(30);
    expect(readPolicy({ registry: new FakeRegistry({ HKCU: { RetentionDays: 7 } }), files: null, log: recordingLog() }).values.retentionDays).toBe(7);
  });
});

describe('readPolicy with invalid values', () => {
  it('ignores an out-of-range machine value with a logged warning, and the user value applies', () => {
    const log = recordingLog();
    const registry = new FakeRegistry({ HKLM: { IdleLockMinutes: 999 }, HKCU: { IdleLockMinutes: 10 } });
    const policy = readPolicy({ registry, files: policyFile(null), log });
    expect(policy.values.idleLockMinutes).toBe(10);
    expect(policy.sourceOf.idleLockMinutes).toBe('user');
    expect(policy.warnings).toHaveLength(1);
    expect(policy.warnings[0]).toMatch(/HKLM.*IdleLockMinutes = 999.*using user policy/);
    expect(log.messages).toEqual([`policy: ${policy.warnings[0]}`]);
  });

  it('falls through every source to the default when each holds a bad value', () => {
    const registry = new FakeRegistry({ HKLM: { MinPinLength: 2 }, HKCU: { MinPinLength: 40 } });
    const policy = readPolicy({ registry, files: policyFile({ minPinLength: 'six' }), log: recordingLog() });
    expect(policy.values.minPinLength).toBe(6);
    expect(policy.sourceOf.minPinLength).toBe('default');
    expect(isLocked(policy, 'minPinLength')).toBe(false);
    expect(policy.warnings).toHaveLength(3);
    for (const warning of policy.warnings) expect(warning).toMatch(/using the default \(6\)$/);
  });

  it('rejects a bad value of every kind of setting', () => {
    const bad: Record<string, string | number> = {
      RelayUrl: 'http://relay.hospital.example',
      DirectoryPublicKey: 'not-a-key',
      IdleLockMinutes: 0,
      MaxPinAttempts: 1000,
      MinPinLength: '6.5',
      NotificationContent: 'everything',
      AllowScreenCapture: 2,
      ClipboardClearSeconds: 3601,
      AllowSaveAttachments: 'yes',
      AllowExport: -1,
      RetentionDays: 'forever',
      UrgentUndeliveredMinutes: 0,
    };
    expect(Object.keys(bad).sort()).toEqual(SETTING_NAMES.map((n) => SETTINGS[n].valueName).sort());
    const policy = readPolicy({ registry: new FakeRegistry({ HKLM: bad }), files: null, log: recordingLog() });
    expect(policy.values).toEqual(defaultValues());
    expect(policy.warnings).toHaveLength(SETTING_NAMES.length);
  });

  it('accepts the unambiguous spellings admins produce: DWORD booleans, numbers as text, any letter case', () => {
    const registry = new FakeRegistry({
      HKLM: { idlelockminutes: '15', NotificationContent: ' Sender ', AllowScreenCapture: 1, AllowExport: 0 },
    });
    const files = policyFile({ allowSaveAttachments: true, retentionDays: '30' });
    const policy = readPolicy({ registry, files, log: recordingLog() });
    expect(policy.values).toMatchObject({ idleLockMinutes: 15, notificationContent: 'sender', allowScreenCapture: true, allowExport: false });
    expect(policy.values).toMatchObject({ allowSaveAttachments: true, retentionDays: 30 });
    expect(policy.warnings).toEqual([]);
  });

  it('does not echo text values into the log: a mistyped relay address might hold a password', () => {
    const registry = new FakeRegistry({ HKLM: { RelayUrl: 'https://admin:hunter2@relay.hospital.example' } });
    const policy = readPolicy({ registry, files: null, log: recordingLog() });
    expect(policy.values.relayUrl).toBeNull();
    expect(policy.warnings.join('\n')).not.toContain('hunter2');
    expect(policy.warnings[0]).toMatch(/RelayUrl = \(\d+ characters\): must not contain a user name or password; using no value/);
  });

  it('warns about values and keys it does not know, and applies the rest', () => {
    const registry = new FakeRegistry({ HKLM: { IdleLockMinute: 3, MinPinLength: 8 } });
    const policy = readPolicy({ registry, files: policyFile({ idleLockMinute: 3, retentionDays: 14 }), log: recordingLog() });
    expect(policy.values).toMatchObject({ minPinLength: 8, retentionDays: 14, idleLockMinutes: 5 });
    expect(policy.warnings).toEqual([
      'ignored unknown value IdleLockMinute in HKLM\\Software\\Policies\\Wardline',
      expect.stringMatching(/^ignored unknown setting "idleLockMinute" in policy file .*policy\.json$/),
    ]);
  });
});

describe('readPolicy never fails start-up', () => {
  it('carries on with the other sources when the registry cannot be read', () => {
    const registry = { readValues: () => { throw new Error('RegOpenKeyEx failed - exit code: 5'); } };
    const policy = readPolicy({ registry, files: policyFile({ idleLockMinutes: 3 }), log: recordingLog() });
    expect(policy.values.idleLockMinutes).toBe(3);
    expect(policy.warnings).toEqual([
      expect.stringMatching(/^cannot read HKLM\\Software\\Policies\\Wardline \(RegOpenKeyEx failed - exit code: 5\)/),
      expect.stringMatching(/^cannot read HKCU\\/),
    ]);
  });

  it.each([
    ['malformed JSON', '{"idleLockMinutes": 3,', /ignored policy file .*: .*JSON/],
    ['an array', '[{"idleLockMinutes": 3}]', /expected a JSON object of settings/],
    ['a bare number', '3', /expected a JSON object of settings/],
  ])('ignores a policy file holding %s, with a warning', (_label, text, message) => {
    const policy = readPolicy({ registry: null, files: policyFile(text), log: recordingLog() });
    expect(policy.values).toEqual(defaultValues());
    expect(policy.warnings).toEqual([expect.stringMatching(message)]);
  });

  it('reads a policy file saved with a byte-order mark (Notepad), and treats null as not set', () => {
    const policy = readPolicy({ registry: null, files: policyFile('\uFEFF{"minPinLength": 8, "relayUrl": null}'), log: recordingLog() });
    expect(policy.values.minPinLength).toBe(8);
    expect(policy.sourceOf.relayUrl).toBe('default');
    expect(policy.warnings).toEqual([]);
  });

  it('returns a complete, valid policy whatever the sources hold', () => {
    const anyValue = fc.oneof(fc.string(), fc.integer({ min: 0, max: 0xffffffff }));
    const valueName = fc.oneof(fc.constantFrom(...SETTING_NAMES.map((n) => SETTINGS[n].valueName)), fc.string());
    const hive = fc.dictionary(valueName, anyValue);
    fc.assert(
      fc.property(hive, hive, fc.oneof(fc.json(), fc.string()), (hklm, hkcu, file) => {
        const policy = readPolicy({ registry: new FakeRegistry({ HKLM: hklm, HKCU: hkcu }), files: { path: 'p.json', read: () => file }, log: recordingLog() });
        for (const name of SETTING_NAMES) {
          const spec = SETTINGS[name as SettingName];
          if (spec.default === null && policy.values[name] === null) continue;
          expect(spec.schema.safeParse(policy.values[name]).success, name).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
