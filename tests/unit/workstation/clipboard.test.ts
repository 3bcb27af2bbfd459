import { describe, expect, it } from 'vitest';
import { ClipboardGuard } from '../../../main/core/workstation';
import type { ClipboardLike } from '../../../main/core/workstation';
import { FakeTimers, settle } from './fake-timers';

/** The OS clipboard, shared by every application on the workstation. */
class FakeClipboard implements ClipboardLike {
  text = '';
  clears = 0;
  writeText = async (text: string) => void (this.text = text);
  readText = async () => this.text;
  clear = () => {
    this.text = '';
    this.clears++;
  };
}

function guard(seconds: number | (() => number) = 60) {
  const timers = new FakeTimers();
  const clipboard = new FakeClipboard();
  return { timers, clipboard, guard: new ClipboardGuard({ clipboard, clearAfterSeconds: seconds, timers }) };
}

describe('ClipboardGuard', () => {
  it('clears copied message text after 60 s', async () => {
    const g = guard();
    await g.guard.copy('K+ 6.1, repeat bloods');
    expect(g.clipboard.text).toBe('K+ 6.1, repeat bloods');
    g.timers.advance(59_999);
    await settle();
    expect(g.clipboard.text).toBe('K+ 6.1, repeat bloods');
    g.timers.advance(1);
    await settle();
    expect(g.clipboard.text).toBe('');
    expect(g.guard.holding).toBe(false);
  });

  it('leaves alone whatever the clinician copied from elsewhere since', async () => {
    const g = guard();
    await g.guard.copy('K+ 6.1, repeat bloods');
    g.clipboard.text = 'NHS 943 476 5919';
    g.timers.advance(60_000);
    await settle();
    expect(g.clipboard.text).toBe('NHS 943 476 5919');
    expect(g.clipboard.clears).toBe(0);
    expect(await g.guard.clearNow()).toBe(false);
    expect(g.clipboard.text).toBe('NHS 943 476 5919');
  });

  it('clears at once on lock, whatever the delay, and only once', async () => {
    const g = guard(0);
    await g.guard.copy('bed 4 handover');
    g.timers.advance(3_600_000);
    await settle();
    expect(g.clipboard.text).toBe('bed 4 handover');
    expect(await g.guard.clearNow()).toBe(true);
    expect(g.clipboard.text).toBe('');
    expect(await g.guard.clearNow()).toBe(false);
    expect(g.clipboard.clears).toBe(1);
  });

  it('gives a second copy its own full delay', async () => {
    const g = guard();
    await g.guard.copy('first');
    g.timers.advance(50_000);
    await g.guard.copy('second');
    g.timers.advance(50_000);
    await settle();
    expect(g.clipboard.text).toBe('second');
    g.timers.advance(10_000);
    await settle();
    expect(g.clipboard.text).toBe('');
  });

  it('reads the delay at each copy, so a shorter setting applies to the next copy', async () => {
    let seconds = 60;
    const g = guard(() => seconds);
    seconds = 10;
    await g.guard.copy('obs stable');
    g.timers.advance(10_000);
    await settle();
    expect(g.clipboard.text).toBe('');
  });

  it('cannot take away a copy made while an earlier clear was still reading the clipboard', async () => {
    const g = guard();
    await g.guard.copy('same text');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = g.clipboard.readText;
    g.clipboard.readText = async () => (await gate, read());
    const clearing = g.guard.clearNow();
    await g.guard.copy('same text');
    release();
    expect(await clearing).toBe(false);
    expect(g.clipboard.text).toBe('same text');
    expect(g.guard.holding).toBe(true);
  });
});
