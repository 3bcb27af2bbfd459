/**
 * The registry as a RegistrySource, through registry-js (Win32 RegEnumValue, in process). Not
 * reg.exe: hospitals commonly apply "Prevent access to registry editing tools", which blocks reg.exe
 * and would silently drop every policy. registry-js is a native optional dependency, so it is
 * loaded only on Windows and only when asked; if it is missing or fails to load, policy comes from
 * the file and defaults, with a warning, and start-up carries on.
 */
import type { Hive, RegistrySource } from './sources';

/** The part of registry-js this file uses, declared here so type-checking never needs the package. */
interface RegistryJs {
  enumerateValues(hkey: string, subkey: string): ReadonlyArray<RegistryJsValue | undefined>;
}

interface RegistryJsValue {
  name: string;
  type: string;
  data: unknown;
}

const HKEY: Record<Hive, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER' };

export interface WindowsRegistryOptions {
  log: { warn(message: string): void };
  platform?: NodeJS.Platform;
  /** How to load a module by name; tests pass a fake. Defaults to the main bundle's CommonJS require. */
  load?: (id: string) => unknown;
}

/** A RegistrySource on Windows, or null (off Windows, or registry-js unavailable: warned). */
export function windowsRegistrySource(options: WindowsRegistryOptions): RegistrySource | null {
  if ((options.platform ?? process.platform) !== 'win32') return null;
  let registry: RegistryJs;
  try {
    registry = asRegistryJs((options.load ?? nodeRequire)('registry-js'));
  } catch (error) {
    options.log.warn(`policy: cannot load registry-js (${(error as Error).message}); Group Policy settings are NOT applied, only the policy file and defaults`);
    return null;
  }
  return {
    readValues(hive, key) {
      const out: Record<string, string | number> = {};
      for (const entry of registry.enumerateValues(HKEY[hive], key)) {
        // registry-js leaves a hole in the array for value types it does not convert (QWORD,
        // MULTI_SZ, BINARY): skip those; the reader reports such a policy as not set.
        if (!entry) continue;
        if (typeof entry.data === 'number') out[entry.name] = entry.data;
        // The returned string includes the terminating NUL(s) RegEnumValue counts in its length.
        else if (typeof entry.data === 'string') out[entry.name] = entry.data.replace(/\0+$/, '');
      }
      return Object.keys(out).length > 0 ? out : null;
    },
  };
}

function asRegistryJs(loaded: unknown): RegistryJs {
  const candidate = loaded as Partial<RegistryJs> | null;
  if (typeof candidate?.enumerateValues !== 'function') throw new Error('registry-js has no enumerateValues');
  return candidate as RegistryJs;
}

/**
 * The main process is bundled as CommonJS (scripts/build.mjs), where `require` resolves from the
 * app's own node_modules inside the asar. A non-literal id keeps esbuild from bundling the native
 * module. Under ESM (the tests) there is no require, and tests pass their own loader.
 */
function nodeRequire(id: string): unknown {
  const req: ((id: string) => unknown) | undefined = typeof require === 'function' ? require : undefined;
  if (!req) throw new Error('no CommonJS require available');
  return req(id);
}
