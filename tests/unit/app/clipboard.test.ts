import type { Clipboard } from 'electron';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { electronClipboard } from '../../../main/app/clipboard';
import type { ElectronClipboardLike } from '../../../main/app/clipboard';
import { ClipboardGuard } from '../../../main/core/workstation';
import { FakeTimers, settle } from '../workstation/fake-timers';

/** Electron 45's clipboard: async read and write, sync clear. */
function fakeElectronClipboard() {
  const state = { text: '', calls: [] as string[] };
  const clipboard = {
    writeText: async (text: string) => void (state.calls.push('writeText'), (state.text = text)),
    readText: async () => (state.calls.push('readText'), state.text),
    clear: () => void (state.calls.push('clear'), (state.text = '')),
  };
  return { state, clipboard };
}

describe('Electron clipboard adapter', () => {
  it("matches Electron's clipboard", () => {
    expectTypeOf<Clipboard>().toExtend<ElectronClipboardLike>();
  });

  it('lets the guard copy, check and clear through Electron', async () => {
    const { state, clipboard } = fakeElectronClipboard();
    const timers = new FakeTimers();
    const guard = new ClipboardGuard({ clipboard: electronClipboard(clipboard), clearAfterSeconds: 60, timers });
    await guard.copy('bed 4: K+ 6.1');
    expect(state.text).toBe('bed 4: K+ 6.1');
    timers.advance(60_000);
    await settle();
    expect(state.text).toBe('');
    expect(state.calls).toEqual(['writeText', 'readText', 'clear']);
  });
});
