import { describe, expect, it } from 'vitest';
import { createPolicyProvider } from '../../../main/core/policy/provider';
import { FakeRegistry, recordingLog } from './fakes';

describe('policy provider', () => {
  it('reads policy again on refresh (every unlock), so a GPO change applies without a restart', () => {
    const registry = new FakeRegistry({ HKLM: { IdleLockMinutes: 10 } });
    const provider = createPolicyProvider({ log: recordingLog(), registry, files: null });
    expect(provider.current().values.idleLockMinutes).toBe(10);

    registry.hives.HKLM = { IdleLockMinutes: 2 };
    expect(provider.current().values.idleLockMinutes, 'no read until refresh').toBe(10);
    expect(provider.refresh().values.idleLockMinutes).toBe(2);
    expect(provider.current().values.idleLockMinutes).toBe(2);

    registry.hives.HKLM = {};
    expect(provider.refresh().sourceOf.idleLockMinutes).toBe('default');
  });

  it('logs a warning once, not again at every unlock, but still reports it in the policy', () => {
    const log = recordingLog();
    const registry = new FakeRegistry({ HKLM: { IdleLockMinutes: 999 } });
    const provider = createPolicyProvider({ log, registry, files: null });
    provider.refresh();
    provider.refresh();
    expect(log.messages).toHaveLength(1);
    expect(provider.current().warnings).toHaveLength(1);

    registry.hives.HKLM = { IdleLockMinutes: 999, MinPinLength: 99 };
    provider.refresh();
    expect(log.messages).toHaveLength(2);
    expect(log.messages[1]).toMatch(/MinPinLength = 99/);
  });

  it('uses no registry off Windows and the platform policy file by default', () => {
    const provider = createPolicyProvider({ log: recordingLog(), platform: 'linux' });
    // /etc/wardline/policy.json does not exist on a build machine; the defaults apply.
    expect(provider.current().sourceOf.idleLockMinutes).toBe('default');
  });
});
