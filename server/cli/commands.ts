/**
 * IT's command line. Commands work on the data folder's SQLite file directly, so they work
 * whether or not the relay is running; a running relay picks up revocations within a second
 * (admin-watch.ts).
 */
import { DisplayName, Username } from '../../protocol/relay';
import type { Config } from '../config';
import { openDatabase, type Db } from '../db/database';
import { DeviceRepository } from '../db/devices';
import { UserRepository, type UserRow } from '../db/users';
import { loadOrCreateDirectoryKey } from '../directory-key';

export interface CliOptions {
  name: string | undefined;
  json: boolean;
  codeTtl: string | undefined;
}

export class CliError extends Error {
  override name = 'CliError';
}

export const USAGE = `Usage: npm run relay -- [command] [flags]
  (no command)                      start the relay
  user add <username> --name "<display name>" [--code-ttl 72h]
                                    create a user and print a one-time enrolment code
  user code <username> [--code-ttl 72h]
                                    print another enrolment code (for another device)
  user list                         list users
  user disable <username>           disable a user: devices disconnected, enrolment stops
  user enable <username>            enable a disabled user again
  device list <username>            list a user's devices
  device revoke <deviceId>          revoke a device: disconnected at once, cannot reconnect
  directory-key                     print the directory public key to pin in policy
Common flags: --data <folder> (or WARDLINE_RELAY_DATA), --json for machine-readable output.
Relay flags: see server/README.md.`;

const DEFAULT_CODE_TTL = '72h';

export function runCommand(words: string[], config: Config, options: CliOptions, print: (line: string) => void): void {
  const [area, action, target] = words;
  if (area === 'help') return print(USAGE);
  if (area === 'directory-key') {
    const key = loadOrCreateDirectoryKey(config.dataDir);
    const publicKey = Buffer.from(key.publicKey).toString('base64');
    return print(options.json ? JSON.stringify({ algorithm: 'ed25519', publicKey }) : `Directory public key (Ed25519, base64): ${publicKey}`);
  }
  const db = openDatabase(config.dataDir, config.sync);
  try {
    if (area === 'user') return userCommand(db, config, action, target, options, print);
    if (area === 'device') return deviceCommand(db, action, target, options, print);
    throw new CliError(`unknown command "${words.join(' ')}"\n${USAGE}`);
  } finally {
    db.close();
  }
}

function userCommand(db: Db, config: Config, action: string | undefined, target: string | undefined, options: CliOptions, print: (line: string) => void): void {
  const users = new UserRepository(db);
  const now = Date.now();
  switch (action) {
    case 'add': {
      const username = parseOr(Username, target, 'username');
      const displayName = parseOr(DisplayName, options.name, '--name "<display name>"');
      if (users.byUsername(username)) throw new CliError(`user ${username} already exists; use "user code ${username}" for another device`);
      // The directory key must exist before the first device enrols; create it now, not lazily.
      loadOrCreateDirectoryKey(config.dataDir);
      const user = users.create(username, displayName, now);
      return printCode(user, users.issueCode(user.id, now, ttl(options)), options, print);
    }
    case 'code': {
      const user = findUser(users, target);
      if (user.disabledAt !== null) throw new CliError(`user ${user.username} is disabled`);
      return printCode(user, users.issueCode(user.id, now, ttl(options)), options, print);
    }
    case 'list': {
      const rows = users.list();
      if (options.json) return print(JSON.stringify(rows.map((row) => ({ ...row, status: row.disabledAt === null ? 'active' : 'disabled' }))));
      print(table(['username', 'display name', 'user id', 'status', 'devices'], rows.map((row) => [
        row.username, row.displayName, row.id, row.disabledAt === null ? 'active' : 'disabled', String(row.activeDevices),
      ])));
      return;
    }
    case 'disable':
    case 'enable': {
      const user = findUser(users, target);
      const disable = action === 'disable';
      db.transaction(() => {
        users.setDisabled(user.id, disable ? now : null);
        if (disable) new DeviceRepository(db).appendAdminEvent('user_disabled', user.id, now);
      }).immediate();
      return print(options.json ? JSON.stringify({ userId: user.id, status: disable ? 'disabled' : 'active' }) : `User ${user.username} ${disable ? 'disabled' : 'enabled'}.`);
    }
    default:
      throw new CliError(`unknown user command "${action ?? ''}"\n${USAGE}`);
  }
}

function deviceCommand(db: Db, action: string | undefined, target: string | undefined, options: CliOptions, print: (line: string) => void): void {
  const devices = new DeviceRepository(db);
  switch (action) {
    case 'list': {
      const user = findUser(new UserRepository(db), target);
      const rows = devices.allForUser(user.id).map((device) => ({
        deviceId: device.id,
        status: device.revokedAt === null ? 'active' : 'revoked',
        enrolledAt: new Date(device.createdAt).toISOString(),
        lastSeenAt: device.lastSeenAt === null ? null : new Date(device.lastSeenAt).toISOString(),
      }));
      if (options.json) return print(JSON.stringify(rows));
      print(table(['device id', 'status', 'enrolled', 'last seen'], rows.map((row) => [row.deviceId, row.status, row.enrolledAt, row.lastSeenAt ?? 'never'])));
      return;
    }
    case 'revoke': {
      if (!target || !devices.byId(target)) throw new CliError(`no device ${target ?? '(missing id)'}`);
      const revoked = devices.revoke(target, Date.now());
      return print(options.json ? JSON.stringify({ deviceId: target, status: 'revoked' }) : revoked ? `Device ${target} revoked.` : `Device ${target} was already revoked.`);
    }
    default:
      throw new CliError(`unknown device command "${action ?? ''}"\n${USAGE}`);
  }
}

function printCode(user: UserRow, issued: { code: string; expiresAt: number }, options: CliOptions, print: (line: string) => void): void {
  const expires = new Date(issued.expiresAt).toISOString();
  if (options.json) {
    print(JSON.stringify({ userId: user.id, username: user.username, displayName: user.displayName, code: issued.code, expiresAt: expires }));
    return;
  }
  const hours = Math.round(((issued.expiresAt - Date.now()) / 3600_000) * 10) / 10;
  print(`User: ${user.username} (${user.displayName})`);
  print(`Enrolment code: ${issued.code}`);
  print(`Expires: ${expires} (in ${hours} h). One use only; give it to the user in person.`);
}

function findUser(users: UserRepository, username: string | undefined): UserRow {
  const user = username === undefined ? undefined : users.byUsername(username);
  if (!user) throw new CliError(`no user ${username ?? '(missing username)'}`);
  return user;
}

function ttl(options: CliOptions): number {
  const text = options.codeTtl ?? DEFAULT_CODE_TTL;
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new CliError(`--code-ttl: expected a duration like 30m, 72h or 7d, got ${text}`);
  const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function parseOr<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(`invalid or missing ${what}`);
  return result.data;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
