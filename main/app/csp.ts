/**
 * The renderer's Content-Security-Policy, sent as a header by the app:// handler (and by the web
 * host). Scripts and styles only from the app itself, nothing inline, no network of its own:
 * the renderer reaches main through the bridge, never over the wire.
 * `connect` exists only for the web host, whose bridge is a WebSocket to itself.
 */
export function contentSecurityPolicy(options: { connect?: string } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src ${options.connect ?? "'none'"}`,
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
  ].join('; ');
}
