/** Plain data shapes that cross the bridge. Never secrets; message text only while unlocked. */

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'web-host' in the test and demo host. */
  host: 'electron' | 'web-host';
  platform: string;
}

export interface ProfileSummary {
  id: string;
  displayName: string;
  userId: string;
  lastUsedAt: number | null;
  state: 'active' | 'erased';
}
