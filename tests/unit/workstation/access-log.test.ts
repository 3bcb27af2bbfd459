import fc from 'fast-check';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accessLogFile, formatAccessLine, MachineAccessLog, readAccessLog } from '../../../main/core/workstation';
import type { AccessRecord } from '../../../main/core/workstation';
import { FakeTimers } from './fake-timers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardline-access-'));
  dirs.push(dir);
  return dir;
}

const ID_A = 'Q2xpbmljaWFuQUFBQUFBQQ';
const ID_B = 'Q2xpbmljaWFuQkJCQkJCQg';

describe('machine access log', () => {
  it('appends one JSON line per event with time, event, profile id and reason, nothing else', () => {
    const dir = dataDir();
    const timers = new FakeTimers(Date.UTC(2026, 11, 4, 9, 30, 0));
    const log = new MachineAccessLog({ dataDir: dir, timers });
    expect(log.record({ event: 'unlocked', profileId: ID_A })).toBe(true);
    timers.advance(61_000);
    log.record({ event: 'locked', profileId: ID_A, reason: 'idle' });
    const lines = readFileSync(join(dir, 'access-log', 'access-2026-12.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { at: '2026-12-04T09:30:00.000Z', event: 'unlocked', profileId: ID_A },
      { at: '2026-12-04T09:31:01.000Z', event: 'locked', profileId: ID_A, reason: 'idle' },
    ]);
  });

  it('starts a new file each calendar month (UTC)', () => {
    const dir = dataDir();
    const timers = new FakeTimers(Date.UTC(2026, 11, 31, 23, 59, 59));
    const log = new MachineAccessLog({ dataDir: dir, timers });
    log.record({ event: 'unlocked', profileId: ID_A });
    timers.advance(2_000);
    log.record({ event: 'locked', profileId: ID_A, reason: 'user' });
    expect(readdirSync(join(dir, 'access-log')).sort()).toEqual(['access-2026-12.jsonl', 'access-2027-01.jsonl']);
    expect(accessLogFile(dir, new Date(Date.UTC(2027, 0, 1)))).toBe(join(dir, 'access-log', 'access-2027-01.jsonl'));
  });

  it('refuses anything outside the whitelist: unknown events and reasons, names or e-mail addresses as profile id', () => {
    const at = new Date();
    const bad = [
      { event: 'message', profileId: ID_A },
      { event: 'locked', profileId: ID_A, reason: 'Mrs Jones, bed 4' },
      { event: 'unlocked', profileId: 'Dr Alice Smith' },
      { event: 'unlocked', profileId: 'alice.smith@hospital.nhs' },
      { event: 'unlocked', profileId: '' },
    ] as unknown as AccessRecord[];
    for (const record of bad) expect(() => formatAccessLine(record, at)).toThrow(TypeError);
  });

  it('never writes a field the caller added, whatever it holds (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), fc.constantFrom('unlocked', 'locked', 'failed_pin', 'erased', 'enrolled', 'export'), (extra, event) => {
        const record = { ...extra, event, profileId: ID_B } as unknown as AccessRecord;
        const written = JSON.parse(formatAccessLine(record, new Date(0))) as Record<string, unknown>;
        expect(Object.keys(written).sort()).toEqual(['at', 'event', 'profileId']);
      }),
    );
  });

  it('reports a record it cannot write and never throws (locking must not depend on the log)', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'access-log'), 'not a folder');
    const onError = vi.fn();
    const log = new MachineAccessLog({ dataDir: dir, timers: new FakeTimers(), onError });
    expect(log.record({ event: 'locked', profileId: ID_A, reason: 'os-lock' })).toBe(false);
    expect(log.record({ event: 'nonsense' as 'locked', profileId: ID_A })).toBe(false);
    expect(onError).toHaveBeenCalledTimes(2);
  });
});

describe('readAccessLog (for IT)', () => {
  function filled() {
    const dir = dataDir();
    const timers = new FakeTimers(Date.UTC(2026, 10, 30, 22, 0, 0));
    const log = new MachineAccessLog({ dataDir: dir, timers });
    log.record({ event: 'unlocked', profileId: ID_A });
    timers.advance(3_600_000);
    log.record({ event: 'failed_pin', profileId: ID_B });
    timers.advance(3_600_000);
    log.record({ event: 'locked', profileId: ID_A, reason: 'suspend' });
    return dir;
  }

  it('reads every month, oldest first, and filters by time', () => {
    const dir = filled();
    expect(readAccessLog(dir).entries.map((e) => `${e.at} ${e.event}`)).toEqual([
      '2026-11-30T22:00:00.000Z unlocked',
      '2026-11-30T23:00:00.000Z failed_pin',
      '2026-12-01T00:00:00.000Z locked',
    ]);
    const since = readAccessLog(dir, { since: new Date('2026-11-30T23:00:00Z') });
    expect(since.entries.map((e) => e.event)).toEqual(['failed_pin', 'locked']);
    expect(readAccessLog(dir, { since: Date.UTC(2026, 11, 1), until: Date.UTC(2026, 11, 2) }).entries).toEqual([
      { at: '2026-12-01T00:00:00.000Z', event: 'locked', profileId: ID_A, reason: 'suspend' },
    ]);
  });

  it('skips and counts lines torn by a power cut or edited by hand, and keeps the rest', () => {
    const dir = filled();
    const file = join(dir, 'access-log', 'access-2026-12.jsonl');
    appendFileSync(file, '{"at":"2026-12-01T00:05:00.000Z","event":"unlo');
    appendFileSync(join(dir, 'access-log', 'access-2026-11.jsonl'), '{"at":"2026-11-30T22:30:00.000Z","event":"message","profileId":"x"}\n');
    const { entries, skipped } = readAccessLog(dir);
    expect(entries).toHaveLength(3);
    expect(skipped).toBe(2);
  });

  it('returns nothing on a workstation where nobody has unlocked yet', () => {
    expect(readAccessLog(dataDir())).toEqual({ entries: [], skipped: 0 });
  });
});
