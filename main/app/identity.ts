/** Names that Windows, the installer and the app must agree on. electron-builder.yml repeats them; a test checks both agree. */
export const APP_ID = 'org.wardline.desktop';
export const APP_SCHEME = 'app';
export const APP_HOST = 'wardline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * True only for a URL of the app's own origin. Compared after parsing, never by string prefix:
 * 'app://wardline.evil' or 'app://wardline@evil' must not pass.
 */
export function isAppOrigin(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}
