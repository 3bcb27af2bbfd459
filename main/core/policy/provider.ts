/**
 * The running app's policy: read once at start-up from this platform's sources, and read again at
 * every unlock, so a GPO change (gpupdate) reaches a workstation that is never restarted. A repeat
 * of the previous read's warnings is not logged again: a shared workstation unlocks hundreds of
 * times a day.
 */
import { readPolicy } from './reader';
import type { EffectivePolicy, PolicyLog } from './reader';
import { windowsRegistrySource } from './registry-windows';
import { defaultPolicyFilePath, fileSource } from './sources';
import type { PolicyFileSource, RegistrySource } from './sources';

export interface PolicyProvider {
  /** The policy as last read. */
  current(): EffectivePolicy;
  /** Reads every source again; call at every unlock. Never throws. */
  refresh(): EffectivePolicy;
}

export interface PolicyProviderOptions {
  log: PolicyLog;
  /** Defaults to registry-js on Windows, none elsewhere. */
  registry?: RegistrySource | null;
  /** Defaults to this platform's machine policy file. */
  files?: PolicyFileSource | null;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export function createPolicyProvider(options: PolicyProviderOptions): PolicyProvider {
  const { log } = options;
  const platform = options.platform ?? process.platform;
  const registry = options.registry !== undefined ? options.registry : windowsRegistrySource({ log, platform });
  const files =
    options.files !== undefined
      ? options.files
      : fileSource(defaultPolicyFilePath(platform, options.env), { trust: platform === 'win32' ? 'any' : 'system' });

  const silent: PolicyLog = { warn: () => undefined };
  let policy = readPolicy({ registry, files, log });
  return {
    current: () => policy,
    refresh() {
      const previous = new Set(policy.warnings);
      policy = readPolicy({ registry, files, log: silent });
      for (const warning of policy.warnings) if (!previous.has(warning)) log.warn(`policy: ${warning}`);
      return policy;
    },
  };
}
