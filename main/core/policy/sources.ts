/**
 * Where policy comes from, as small interfaces the reader consumes and tests fake: the Windows
 * registry (Group Policy writes there) and a machine-wide JSON file (Linux, or Windows without a
 * domain). Defaults live in schema.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type Hive = 'HKLM' | 'HKCU';

/** Read access to one registry key. registry-windows.ts implements it with registry-js. */
export interface RegistrySource {
  /** The key's values by name (REG_SZ as string, REG_DWORD as number), or null if the key is absent or empty. */
  readValues(hive: Hive, key: string): Record<string, string | number> | null;
}

/** The machine policy file. */
export interface PolicyFileSource {
  readonly path: string;
  /** The file's text, or null if there is no file. Throws if it exists but cannot be trusted or read. */
  read(): string | null;
}

/** %ProgramData%\Wardline\policy.json on Windows, /etc/wardline/policy.json elsewhere. */
export function defaultPolicyFilePath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Wardline', 'policy.json');
  return '/etc/wardline/policy.json';
}

export interface FileSourceOptions {
  /**
   * 'system' (the default outside Windows): ignore the file unless root owns it and nobody else may
   * write it; organisation policy that any local user can edit is no policy. Windows ACLs cannot be
   * checked without native code: docs/deploying.md says how IT restricts the folder.
   * 'any': trust whatever file is there (tests, Windows).
   */
  trust?: 'system' | 'any';
}

export function fileSource(file: string, options: FileSourceOptions = {}): PolicyFileSource {
  const trust = options.trust ?? (process.platform === 'win32' ? 'any' : 'system');
  return {
    path: file,
    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
      if (trust === 'system') assertSystemOwned(file);
      return text;
    },
  };
}

function assertSystemOwned(file: string): void {
  const stat = statSync(file);
  if ((stat.mode & 0o022) !== 0) throw new Error(`it is writable by users other than its owner (mode ${(stat.mode & 0o777).toString(8)})`);
  if (stat.uid !== 0) throw new Error(`it is owned by uid ${stat.uid}, not root`);
}
