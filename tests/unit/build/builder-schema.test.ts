import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// electron-builder validates its configuration with ajv against this schema (draft-07) before it
// builds; doing the same here makes a typo fail CI instead of the first build on the build machine.
const schema = JSON.parse(readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8')) as object;
const validate: ValidateFunction = new Ajv({ allErrors: true, coerceTypes: true, strict: false }).compile(schema);
type Config = Record<string, Record<string, unknown> | undefined>;
const config = (): Config => parse(readFileSync('electron-builder.yml', 'utf8')) as Config;

function errorsOf(candidate: unknown): string[] {
  return validate(candidate) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

describe("electron-builder.yml against electron-builder's own schema", () => {
  it('is valid', () => {
    expect(errorsOf(config())).toEqual([]);
  });

  it.each([
    ['a misspelt MSI option', (c: Config) => void (c.msi = { ...c.msi, perMachin: true }), 'perMachin'],
    ['a misspelt top-level key', (c: Config) => void (c.extraResource = c.extraResources), 'extraResource'],
    ['a misspelt fuse', (c: Config) => void (c.electronFuses = { ...c.electronFuses, runAsnode: false }), 'runAsnode'],
  ])('rejects %s', (_label, mutate, key) => {
    const broken = config();
    mutate(broken);
    expect(errorsOf(broken).join('\n')).toContain(`"additionalProperty":"${key}"`);
  });

  it('builds a per-machine MSI with a fixed upgrade code for Windows, and a deb and AppImage for Linux', () => {
    const c = config();
    expect(c.win?.target).toEqual([{ target: 'msi', arch: ['x64'] }]);
    expect(c.msi).toMatchObject({ perMachine: true, runAfterFinish: false });
    // The upgrade code must never change: it is how Windows Installer knows a new MSI replaces the old one.
    expect(c.msi?.upgradeCode).toBe('7d3c1f0e-5b2a-4c8e-9f61-2a8d4e6b9c17');
    expect(c.linux?.target).toEqual(['deb', 'AppImage']);
  });

  it('ships the Group Policy templates and their README in the install folder', () => {
    const extra = (config().extraResources as unknown as Array<{ from: string; to: string; filter: string[] }>).find((r) => r.to === 'policy');
    expect(extra?.from).toBe('build/policy');
    expect(extra?.filter).toEqual(expect.arrayContaining(['**/*.admx', '**/*.adml', 'README.md']));
    for (const file of ['wardline.admx', 'en-US/wardline.adml', 'README.md']) expect(existsSync(`build/policy/${file}`), file).toBe(true);
  });
});
