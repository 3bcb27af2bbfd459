import { describe, expect, it, vi } from 'vitest';
import { activityIdleSource, IdleLockController } from '../../../main/core/workstation';
import type { IdleLockOptions } from '../../../main/core/workstation';
import { FakeTimers } from './fake-timers';

/** A workstation whose idle time is measured from the last input, on the fake clock. */
function workstation(over: Partial<IdleLockOptions> & { minutes?: number } = {}) {
  const timers = new FakeTimers();
  let lastInput = timers.now();
  let minutes = over.minutes ?? 5;
  const events: string[] = [];
  const controller = new IdleLockController({
    idleSeconds: () => Math.floor((timers.now() - lastInput) / 1000),
    lockAfterMinutes: () => minutes,
    timers,
    onWarn: (s) => events.push(`warn ${s}`),
    onWarnCleared: () => events.push('warn cleared'),
    onLock: (reason) => events.push(`lock ${reason}`),
    ...over,
  });
  return {
    timers,
    controller,
    events,
    input: () => void (lastInput = timers.now()),
    setMinutes: (m: number) => void (minutes = m),
    seconds: (s: number) => timers.advance(s * 1000),
  };
}

describe('IdleLockController', () => {
  it('warns once 30 s before the policy limit and locks at the limit', () => {
    const w = workstation({ minutes: 5 });
    w.controller.start();
    w.seconds(269);
    expect(w.events).toEqual([]);
    w.seconds(1);
    expect(w.events).toEqual(['warn 30']);
    w.seconds(29);
    expect(w.events).toEqual(['warn 30']);
    w.seconds(1);
    expect(w.events).toEqual(['warn 30', 'lock idle']);
    expect(w.controller.active).toBe(false);
    expect(w.timers.pending).toBe(0);
  });

  it('clears the warning when input resumes and starts the full count again', () => {
    const w = workstation({ minutes: 1 });
    w.controller.start();
    w.seconds(40);
    expect(w.events).toEqual(['warn 30']);
    w.input();
    w.seconds(1);
    expect(w.events).toEqual(['warn 30', 'warn cleared']);
    w.seconds(28);
    expect(w.events).toEqual(['warn 30', 'warn cleared']);
    w.seconds(31);
    expect(w.events).toEqual(['warn 30', 'warn cleared', 'warn 30', 'lock idle']);
  });

  it('never locks a workstation in use', () => {
    const w = workstation({ minutes: 1 });
    w.controller.start();
    for (let i = 0; i < 60; i++) {
      w.seconds(25);
      w.input();
    }
    expect(w.events).toEqual([]);
    expect(w.controller.active).toBe(true);
  });

  it.each(['os-lock', 'suspend', 'user-switch'] as const)('locks at once on %s, without waiting for idle time', (reason) => {
    const w = workstation();
    w.controller.start();
    w.seconds(3);
    expect(w.controller.lockNow(reason)).toBe(true);
    expect(w.events).toEqual([`lock ${reason}`]);
    expect(w.timers.pending).toBe(0);
    w.seconds(600);
    expect(w.events).toEqual([`lock ${reason}`]);
  });

  it('does nothing while no profile is unlocked: no polling, OS events ignored', () => {
    const idleSeconds = vi.fn(() => 10_000);
    const w = workstation({ idleSeconds });
    expect(w.controller.lockNow('os-lock')).toBe(false);
    w.seconds(600);
    expect(idleSeconds).not.toHaveBeenCalled();
    expect(w.timers.pending).toBe(0);
    w.controller.start();
    w.controller.stop();
    w.seconds(600);
    expect(w.events).toEqual([]);
  });

  it('starts once however often start() is called, and watches again after the next unlock', () => {
    const w = workstation({ minutes: 1 });
    w.controller.start();
    w.controller.start();
    expect(w.timers.pending).toBe(1);
    w.seconds(60);
    expect(w.events).toEqual(['warn 30', 'lock idle']);
    w.input();
    w.controller.start();
    w.seconds(60);
    expect(w.events).toEqual(['warn 30', 'lock idle', 'warn 30', 'lock idle']);
  });

  it('follows a shorter limit chosen while unlocked; check() applies it without waiting for the next tick', () => {
    const w = workstation({ minutes: 10, pollMs: 5_000 });
    w.controller.start();
    w.seconds(125);
    w.setMinutes(2);
    w.controller.check();
    expect(w.events).toEqual(['lock idle']);
  });

  it('locks through the locked-session backstop when the OS event was missed', () => {
    let locked = false;
    const w = workstation({ osLocked: () => locked });
    w.controller.start();
    w.seconds(10);
    locked = true;
    w.seconds(1);
    expect(w.events).toEqual(['lock os-lock']);
  });

  it('keeps polling after the idle source fails, and reports the failure', () => {
    const onError = vi.fn();
    let fail = true;
    const failing = workstation({
      minutes: 1,
      onError,
      idleSeconds: () => {
        if (fail) throw new Error('no idle time');
        return 61;
      },
    });
    failing.controller.start();
    failing.seconds(3);
    expect(onError).toHaveBeenCalledTimes(3);
    fail = false;
    failing.seconds(1);
    expect(failing.events).toEqual(['lock idle']);
  });

  it('treats a broken limit as the shortest one, never as "never"', () => {
    const w = workstation({ lockAfterMinutes: () => Number.NaN });
    w.controller.start();
    w.seconds(60);
    expect(w.events).toEqual(['warn 30', 'lock idle']);
  });
});

describe('activityIdleSource (web host)', () => {
  it('counts whole seconds since the last renderer activity', () => {
    const timers = new FakeTimers();
    const source = activityIdleSource(timers);
    timers.advance(4_999);
    expect(source.idleSeconds()).toBe(4);
    source.activity();
    expect(source.idleSeconds()).toBe(0);
    timers.advance(61_000);
    expect(source.idleSeconds()).toBe(61);
  });
});
