import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { fileSource } from '../../../main/core/policy/sources';
import type { Hive, PolicyFileSource, RegistrySource } from '../../../main/core/policy/sources';

type Values = Record<string, string | number>;

/** Group Policy's registry, held in memory: what tests cannot get from a real Windows here. */
export class FakeRegistry implements RegistrySource {
  readonly reads: string[] = [];
  constructor(public hives: Partial<Record<Hive, Values>> = {}) {}

  readValues(hive: Hive, key: string): Values | null {
    this.reads.push(`${hive}\\${key}`);
    const values = this.hives[hive];
    return values && Object.keys(values).length > 0 ? { ...values } : null;
  }
}

/** A logger that keeps what it was told. */
export function recordingLog(): { warn(message: string): void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message) => void messages.push(message) };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real policy file in a fresh temporary folder (removed after the test). */
export function policyFile(content: string | object | null): PolicyFileSource {
  const dir = mkdtempSync(path.join(tmpdir(), 'wardline-policy-'));
  dirs.push(dir);
  const file = path.join(dir, 'policy.json');
  if (content !== null) writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return fileSource(file, { trust: 'any' });
}
