import type { BrowserWindow, WebContents } from 'electron';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { applyContentProtection, isHideShortcut, watchHideShortcut } from '../../../main/app/content-protection';
import type { InputSource, KeyInput, ProtectableWindow } from '../../../main/app/content-protection';
import { defaultValues } from '../../../main/core/policy';

const key = (over: Partial<KeyInput>): KeyInput => ({ type: 'keyDown', key: 'L', control: true, meta: false, shift: true, alt: false, ...over });

describe('content protection', () => {
  it("matches Electron's BrowserWindow and WebContents", () => {
    expectTypeOf<BrowserWindow>().toExtend<ProtectableWindow>();
    expectTypeOf<WebContents>().toExtend<InputSource>();
  });

  it('keeps the window out of screen capture by default', () => {
    const win = { setContentProtection: vi.fn() };
    applyContentProtection(win, defaultValues());
    expect(win.setContentProtection).toHaveBeenCalledWith(true);
  });

  it('allows capture only when policy says so', () => {
    const win = { setContentProtection: vi.fn() };
    applyContentProtection(win, { ...defaultValues(), allowScreenCapture: true });
    expect(win.setContentProtection).toHaveBeenLastCalledWith(false);
    applyContentProtection(win, { allowScreenCapture: 'yes' as unknown as boolean });
    expect(win.setContentProtection).toHaveBeenLastCalledWith(true);
  });
});

describe('hide-everything shortcut', () => {
  it('is Ctrl+Shift+L on Windows and Linux, Cmd+Shift+L on macOS', () => {
    expect(isHideShortcut(key({}), 'win32')).toBe(true);
    expect(isHideShortcut(key({ key: 'l' }), 'linux')).toBe(true);
    expect(isHideShortcut(key({ control: false, meta: true }), 'darwin')).toBe(true);
    expect(isHideShortcut(key({ control: false, meta: true }), 'win32')).toBe(false);
    expect(isHideShortcut(key({ shift: false }), 'win32')).toBe(false);
    expect(isHideShortcut(key({ alt: true }), 'win32')).toBe(false);
    expect(isHideShortcut(key({ type: 'keyUp' }), 'win32')).toBe(false);
    expect(isHideShortcut(key({ key: 'K' }), 'win32')).toBe(false);
  });

  it('hides once per press, before the page sees the key', () => {
    let listener: ((e: { preventDefault(): void }, input: KeyInput) => void) | undefined;
    const onHide = vi.fn();
    watchHideShortcut({ on: (_event, l) => void (listener = l) }, onHide, 'win32');
    const press = (input: KeyInput) => {
      const event = { preventDefault: vi.fn() };
      listener!(event, input);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(press(key({}))).toBe(true);
    expect(press(key({ isAutoRepeat: true }))).toBe(true);
    expect(press(key({ key: 'c' }))).toBe(false);
    expect(onHide).toHaveBeenCalledOnce();
  });
});
