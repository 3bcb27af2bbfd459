import { describe, expect, it, vi } from 'vitest';
import { isAppOrigin } from '../../../main/app/identity';
import { denyAllPermissions, lockDownContents } from '../../../main/app/security';
import type { SessionLike, WebContentsLike } from '../../../main/app/security';

describe('isAppOrigin', () => {
  it.each([
    ['app://wardline/index.html', true],
    ['app://wardline/', true],
    ['app://wardline.evil/', false],
    ['app://wardline@evil/', false],
    ['app://evil/?x=app://wardline', false],
    ['https://wardline/', false],
    ['file:///app/wardline', false],
    ['', false],
    ['javascript:alert(1)', false],
  ])('%s -> %s', (url, expected) => expect(isAppOrigin(url)).toBe(expected));
});

describe('permissions', () => {
  it('denies every permission request and check, devices and screen capture', () => {
    const handlers: Record<string, unknown> = {};
    const session: SessionLike = {
      setPermissionRequestHandler: (h) => void (handlers.request = h),
      setPermissionCheckHandler: (h) => void (handlers.check = h),
      setDevicePermissionHandler: (h) => void (handlers.device = h),
      setDisplayMediaRequestHandler: (h) => void (handlers.display = h),
    };
    denyAllPermissions(session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'fullscreen', 'openExternal']) {
      const callback = vi.fn();
      (handlers.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect((handlers.check as (wc: unknown, p: string) => boolean)({}, permission)).toBe(false);
    }
    expect((handlers.device as (d: unknown) => boolean)({ deviceType: 'usb' })).toBe(false);
    const display = vi.fn();
    (handlers.display as (r: unknown, cb: (s: object) => void) => void)({}, display);
    expect(display).toHaveBeenCalledWith({});
  });
});

describe('navigation, pop-ups and webviews', () => {
  function fakeContents() {
    const listeners: Record<string, (event: { preventDefault(): void }, url: string) => void> = {};
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const contents: WebContentsLike = {
      on: ((event: string, listener: (event: { preventDefault(): void }, url: string) => void) => {
        listeners[event] = listener;
      }) as WebContentsLike['on'],
      setWindowOpenHandler: (h) => void (openHandler = h),
    };
    lockDownContents(contents);
    const attempt = (event: string, url = '') => {
      const e = { preventDefault: vi.fn() };
      listeners[event]!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    return { attempt, open: (url: string) => openHandler!({ url }) };
  }

  it('blocks navigation and redirects away from the app origin, allows in-app navigation', () => {
    const c = fakeContents();
    expect(c.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(c.attempt('will-navigate', 'app://wardline/index.html')).toBe(false);
  });

  it('denies every new window and every webview', () => {
    const c = fakeContents();
    expect(c.open('https://example.org/')).toEqual({ action: 'deny' });
    expect(c.open('app://wardline/index.html')).toEqual({ action: 'deny' });
    expect(c.attempt('will-attach-webview')).toBe(true);
  });
});
