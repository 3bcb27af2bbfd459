import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy } from './csp';
import { APP_HOST } from './identity';
import { mimeType, resolveStaticPath } from './static-files';

/**
 * Serves the built renderer for app://wardline/... Requests for any other host, a path that
 * escapes the renderer folder, or a missing file get 404; every answer carries the CSP header
 * and forbids sniffing. Pure apart from reading files, so it is tested without Electron.
 */
export async function serveAppRequest(rendererDir: string, request: { url: string; method?: string }): Promise<Response> {
  const url = new URL(request.url);
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (url.host !== APP_HOST || (request.method && request.method !== 'GET')) {
    return new Response('Not found', { status: 404, headers });
  }
  const file = resolveStaticPath(rendererDir, url.pathname);
  if (!file) return new Response('Not found', { status: 404, headers });
  try {
    const body = await readFile(file);
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': mimeType(file) } });
  } catch {
    return new Response('Not found', { status: 404, headers });
  }
}
