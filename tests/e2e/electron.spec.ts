import { _electron as electron, test, expect } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_NAMES } from '../../protocol/channels';
import type { WardlineApi } from '../../protocol/bridge';

/**
 * Drives the real desktop app. Electron downloads its binary on first run, which these machines
 * cannot do, so without a binary this skips and says why; on a developer machine with internet
 * (after `npx electron --version` once) it runs.
 */
function electronBinary(): string | null {
  const dir = join(process.cwd(), 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary) console.log('[electron.spec] skipped: no Electron binary in node_modules/electron/dist (it is downloaded on first run and these machines have no internet).');

test.describe('desktop app (real Electron)', () => {
  test.skip(!binary, 'No Electron binary can be started here: it is downloaded on first run and this machine has no internet.');

  test('opens the first screen from app://wardline with the bridge and nothing else', async () => {
    const app = await electron.launch({ executablePath: binary!, args: ['.'] });
    const win = await app.firstWindow();
    await expect(win.getByRole('heading', { level: 1, name: 'Who is using this workstation?' })).toBeVisible();
    expect(win.url()).toMatch(/^app:\/\/wardline\//);
    const surface = await win.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      areas: Object.keys((window as unknown as { wardline: WardlineApi }).wardline).sort(),
    }));
    expect(surface.require).toBe('undefined');
    expect(surface.process).toBe('undefined');
    expect(surface.areas).toEqual([...new Set(METHOD_NAMES.map((m) => m.split('.')[0]))].sort());
    await app.close();
  });
});
