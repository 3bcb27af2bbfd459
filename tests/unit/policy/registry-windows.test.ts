import { describe, expect, it } from 'vitest';
import { readPolicy } from '../../../main/core/policy/reader';
import { windowsRegistrySource } from '../../../main/core/policy/registry-windows';
import { recordingLog } from './fakes';

/** registry-js's enumerateValues as it behaves on Windows, over an in-memory registry. */
function fakeRegistryJs(keys: Record<string, unknown[]>) {
  const calls: string[] = [];
  return {
    calls,
    enumerateValues(hkey: string, subkey: string) {
      calls.push(`${hkey}\\${subkey}`);
      return keys[`${hkey}\\${subkey}`] ?? [];
    },
  };
}

describe('windowsRegistrySource', () => {
  it('does not even try to load registry-js off Windows', () => {
    const log = recordingLog();
    const load = () => {
      throw new Error('must not be called');
    };
    expect(windowsRegistrySource({ log, platform: 'linux', load })).toBeNull();
    expect(log.messages).toEqual([]);
  });

  it('degrades to no registry, with a warning, when registry-js is missing', () => {
    const log = recordingLog();
    const load = () => {
      throw new Error("Cannot find module 'registry-js'");
    };
    expect(windowsRegistrySource({ log, platform: 'win32', load })).toBeNull();
    expect(log.messages).toEqual([expect.stringMatching(/cannot load registry-js \(Cannot find module 'registry-js'\); Group Policy settings are NOT applied/)]);
  });

  it('degrades the same way when the module loads but is not registry-js', () => {
    const log = recordingLog();
    expect(windowsRegistrySource({ log, platform: 'win32', load: () => ({}) })).toBeNull();
    expect(log.messages).toHaveLength(1);
  });

  it('reads HKLM and HKCU through registry-js, dropping value types it does not convert and trailing NULs', () => {
    const fake = fakeRegistryJs({
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Wardline': [
        { name: 'IdleLockMinutes', type: 'REG_DWORD', data: 3 },
        undefined, // a REG_QWORD: registry-js leaves a hole
        { name: 'RelayUrl', type: 'REG_SZ', data: 'https://relay.hospital.example\0' },
      ],
      'HKEY_CURRENT_USER\\Software\\Policies\\Wardline': [{ name: 'NotificationContent', type: 'REG_SZ', data: 'sender\0' }],
    });
    const loaded: string[] = [];
    const registry = windowsRegistrySource({ log: recordingLog(), platform: 'win32', load: (id) => (loaded.push(id), fake) });
    expect(loaded).toEqual(['registry-js']);
    expect(registry?.readValues('HKLM', 'Software\\Policies\\Wardline')).toEqual({ IdleLockMinutes: 3, RelayUrl: 'https://relay.hospital.example' });
    expect(registry?.readValues('HKCU', 'Software\\Policies\\Wardline')).toEqual({ NotificationContent: 'sender' });
    expect(registry?.readValues('HKCU', 'Software\\Policies\\Nobody')).toBeNull();

    const policy = readPolicy({ registry: registry ?? null, files: null, log: recordingLog() });
    expect(policy.values).toMatchObject({ idleLockMinutes: 3, relayUrl: 'https://relay.hospital.example/', notificationContent: 'sender' });
    expect(policy.sourceOf).toMatchObject({ idleLockMinutes: 'machine', relayUrl: 'machine', notificationContent: 'user' });
  });
});
