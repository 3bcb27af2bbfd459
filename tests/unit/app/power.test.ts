import { EventEmitter } from 'node:events';
import type { PowerMonitor } from 'electron';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { powerIdleSource, watchPowerEvents } from '../../../main/app/power';
import type { PowerMonitorLike } from '../../../main/app/power';
import { IdleLockController } from '../../../main/core/workstation';
import { FakeTimers } from '../workstation/fake-timers';

class FakePowerMonitor extends EventEmitter {
  idle = 0;
  state: 'active' | 'idle' | 'locked' | 'unknown' = 'active';
  getSystemIdleTime = () => this.idle;
  getSystemIdleState = () => this.state;
}

function wired() {
  const pm = new FakePowerMonitor();
  const timers = new FakeTimers();
  const locks: string[] = [];
  const source = powerIdleSource(pm);
  const controller = new IdleLockController({
    ...source,
    lockAfterMinutes: () => 5,
    timers,
    onWarn: () => undefined,
    onWarnCleared: () => undefined,
    onLock: (reason) => void locks.push(reason),
  });
  const off = watchPowerEvents(pm, controller);
  return { pm, timers, locks, controller, off };
}

describe('power events', () => {
  it("matches Electron's powerMonitor", () => {
    expectTypeOf<PowerMonitor>().toExtend<PowerMonitorLike>();
  });

  it.each([
    ['lock-screen', 'os-lock'],
    ['suspend', 'suspend'],
    ['user-did-resign-active', 'user-switch'],
  ])('locks the open profile at once on %s', (event, reason) => {
    const w = wired();
    w.controller.start();
    w.pm.emit(event);
    expect(w.locks).toEqual([reason]);
  });

  it('ignores OS events while every profile is locked', () => {
    const w = wired();
    w.pm.emit('lock-screen');
    expect(w.locks).toEqual([]);
  });

  it("locks after powerMonitor's system idle time reaches the limit", () => {
    const w = wired();
    w.controller.start();
    w.pm.idle = 299;
    w.timers.advance(1_000);
    expect(w.locks).toEqual([]);
    w.pm.idle = 300;
    w.timers.advance(1_000);
    expect(w.locks).toEqual(['idle']);
  });

  it('locks when the session shows as locked though no event came (remote desktop disconnect)', () => {
    const w = wired();
    w.controller.start();
    w.pm.state = 'locked';
    w.timers.advance(1_000);
    expect(w.locks).toEqual(['os-lock']);
  });

  it('unsubscribes every listener', () => {
    const w = wired();
    w.off();
    expect(w.pm.eventNames()).toEqual([]);
  });
});
