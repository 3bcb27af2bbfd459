import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download cannot run on these machines.
export const CHROMIUM = process.env.WARDLINE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    },
    viewport: { width: 1280, height: 720 },
  },
});
