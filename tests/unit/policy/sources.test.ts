import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPolicy } from '../../../main/core/policy/reader';
import { defaultPolicyFilePath, fileSource } from '../../../main/core/policy/sources';
import { recordingLog } from './fakes';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
function writePolicy(content: string, mode: number): string {
  dir = mkdtempSync(path.join(tmpdir(), 'wardline-policy-'));
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

describe('machine policy file', () => {
  it('lives in ProgramData on Windows and in /etc elsewhere', () => {
    expect(defaultPolicyFilePath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\Wardline\\policy.json');
    expect(defaultPolicyFilePath('win32', {})).toBe('C:\\ProgramData\\Wardline\\policy.json');
    expect(defaultPolicyFilePath('linux', {})).toBe('/etc/wardline/policy.json');
  });

  it('reads as absent when there is no file', () => {
    expect(fileSource(path.join(tmpdir(), 'wardline-no-such-dir', 'policy.json')).read()).toBeNull();
  });

  it.skipIf(process.platform === 'win32')('is ignored, with a warning, when users other than its owner may write it', () => {
    const file = writePolicy('{"allowScreenCapture": true}', 0o666);
    const policy = readPolicy({ registry: null, files: fileSource(file, { trust: 'system' }), log: recordingLog() });
    expect(policy.values.allowScreenCapture).toBe(false);
    expect(policy.warnings).toEqual([expect.stringMatching(/ignored policy file .*: it is writable by users other than its owner \(mode 666\)/)]);
  });

  // Ownership checks need both a root and a non-root run; say which half this run cannot do.
  const isRoot = process.getuid?.() === 0;
  if (process.platform === 'win32') console.log('[policy file ownership] skipped: POSIX ownership checks do not apply on Windows (ACLs are documented in docs/deploying.md).');
  else console.log(`[policy file ownership] running as ${isRoot ? 'root: the "root does not own it" case is skipped (a file root creates is owned by root)' : 'a normal user: the "root owns it" case is skipped (only root can create such a file)'}.`);

  it.skipIf(process.platform === 'win32' || isRoot)('is ignored when root does not own it', () => {
    const file = writePolicy('{"allowScreenCapture": true}', 0o644);
    const policy = readPolicy({ registry: null, files: fileSource(file, { trust: 'system' }), log: recordingLog() });
    expect(policy.values.allowScreenCapture).toBe(false);
    expect(policy.warnings[0]).toMatch(/not root/);
  });

  it.skipIf(process.platform === 'win32' || !isRoot)('is applied when root owns it and only root may write it', () => {
    const file = writePolicy('{"allowScreenCapture": true}', 0o644);
    const policy = readPolicy({ registry: null, files: fileSource(file, { trust: 'system' }), log: recordingLog() });
    expect(policy.values.allowScreenCapture).toBe(true);
  });
});
