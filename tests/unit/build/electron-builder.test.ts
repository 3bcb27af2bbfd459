import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_ID } from '../../../main/app/identity';

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};

describe('electron-builder.yml', () => {
  it('sets every fuse electron-builder knows, explicitly, to the hardened value', () => {
    const fuses = config.electronFuses as Record<string, boolean>;
    expect(Object.keys(fuses).sort()).toEqual(Object.keys(schema.definitions.FuseOptionsV1.properties).sort());
    expect(fuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: false,
    });
  });

  it('packs into asar, with the same appId the main process gives Windows', () => {
    expect(config.asar).toBe(true);
    expect(config.appId).toBe(APP_ID);
  });

  it('ships neither the web host nor the relay inside the desktop app', () => {
    const files = config.files as string[];
    expect(files).toContain('!dist/harness/**');
    expect(files).toContain('!dist/server/**');
  });

  it('unpacks every worker thread script the main process starts, since a worker loads from the real file system', () => {
    const main = readFileSync('main/app/main.ts', 'utf8');
    const workers = [...new Set([...main.matchAll(/'([a-z-]+-worker\.cjs)'/g)].map((m) => `dist/main/${m[1]}`))];
    expect(workers.sort()).toEqual(['dist/main/checkpoint-worker.cjs', 'dist/main/core-worker.cjs', 'dist/main/kdf-worker.cjs']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(workers));
  });
});
