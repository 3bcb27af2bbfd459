import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveAppRequest } from '../../../main/app/app-protocol';
import { contentSecurityPolicy } from '../../../main/app/csp';
import { resolveStaticPath } from '../../../main/app/static-files';

function rendererFixture() {
  const base = mkdtempSync(join(tmpdir(), 'wardline-proto-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Wardline</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'outside the renderer');
  return root;
}

describe('app:// protocol', () => {
  const root = rendererFixture();

  it('serves the renderer with the CSP header and the right type', async () => {
    const res = await serveAppRequest(root, { url: 'app://wardline/index.html', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await serveAppRequest(root, { url: 'app://wardline/assets/app.js' });
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it.each([
    'app://wardline/../secret.txt',
    'app://wardline/%2e%2e/secret.txt',
    'app://wardline/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://wardline/..%5csecret.txt',
    'app://wardline/%00index.html',
    'app://wardline/%E0%A4%A',
  ])('refuses path traversal: %s', async (url) => {
    const res = await serveAppRequest(root, { url });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('outside the renderer');
  });

  it('answers 404 for another host, another method or a missing file', async () => {
    expect((await serveAppRequest(root, { url: 'app://evil/index.html' })).status).toBe(404);
    expect((await serveAppRequest(root, { url: 'app://wardline/index.html', method: 'POST' })).status).toBe(404);
    expect((await serveAppRequest(root, { url: 'app://wardline/nope.js' })).status).toBe(404);
  });

  it('never resolves a path outside the root', () => {
    for (const p of ['/../x', '/a/../../x', '%2e%2e/x', '/..', '/C:/Windows/win.ini']) {
      const resolved = resolveStaticPath(root, p);
      if (resolved !== null) expect(resolved.startsWith(root)).toBe(true);
    }
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
  });
});

describe('content security policy', () => {
  it('allows scripts only from the app, nothing inline, no network', () => {
    const csp = contentSecurityPolicy();
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')] as const));
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});
