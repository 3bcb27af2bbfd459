/**
 * Merges the policy sources into the values the app runs with. Per setting, the first source with
 * a valid value wins: machine policy (HKLM) > user policy (HKCU) > the machine policy file >
 * the default. A source that cannot be read, or a value that fails validation, is skipped with a
 * warning and the next source decides: a typo in one GPO must neither stop clinicians from starting
 * Wardline nor quietly turn a setting off (the next source, at worst the strict default, applies).
 */
import { POLICY_KEY, SETTING_NAMES, SETTINGS, settingForValueName } from './schema';
import type { PolicyValues, SettingName, SettingSpec } from './schema';
import type { Hive, PolicyFileSource, RegistrySource } from './sources';

export type PolicySource = 'machine' | 'user' | 'file' | 'default';

export interface EffectivePolicy {
  readonly values: Readonly<PolicyValues>;
  /** Which source each value came from; anything but 'default' was set by the organisation. */
  readonly sourceOf: Readonly<Record<SettingName, PolicySource>>;
  /** Everything ignored on the way, in the order found; each was also logged. */
  readonly warnings: readonly string[];
}

export interface PolicyLog {
  warn(message: string): void;
}

export interface ReadPolicyOptions {
  /** null off Windows, or when registry-js could not be loaded. */
  registry: RegistrySource | null;
  /** null to ignore the policy file. */
  files: PolicyFileSource | null;
  log: PolicyLog;
}

/** Never throws: whatever the sources hold, the result is a complete, valid set of values. */
export function readPolicy({ registry, files, log }: ReadPolicyOptions): EffectivePolicy {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    log.warn(`policy: ${message}`);
  };

  const layers: Layer[] = [];
  if (registry) {
    layers.push(registryLayer(registry, 'HKLM', 'machine', warn));
    layers.push(registryLayer(registry, 'HKCU', 'user', warn));
  }
  if (files) layers.push(fileLayer(files, warn));

  const values: Record<string, unknown> = {};
  const sourceOf = {} as Record<SettingName, PolicySource>;
  for (const name of SETTING_NAMES) {
    const spec: SettingSpec = SETTINGS[name];
    const rejected: string[] = [];
    let winner: { value: unknown; layer: Layer } | undefined;
    for (const layer of layers) {
      const entry = layer.entries.get(name);
      if (!entry) continue;
      const parsed = spec.schema.safeParse(coerce(spec, entry.raw));
      if (parsed.success) {
        winner = { value: parsed.data, layer };
        break;
      }
      rejected.push(`ignored ${layer.label} ${entry.spelledAs} = ${show(spec, entry.raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    values[name] = winner ? winner.value : spec.default;
    sourceOf[name] = winner ? winner.layer.source : 'default';
    const fallback = winner ? winner.layer.label : spec.default === null ? 'no value (not set)' : `the default (${JSON.stringify(spec.default)})`;
    for (const message of rejected) warn(`${message}; using ${fallback}`);
  }
  return Object.freeze({ values: Object.freeze(values as unknown as PolicyValues), sourceOf: Object.freeze(sourceOf), warnings: Object.freeze(warnings) });
}

/** True when the organisation fixed this setting: the UI shows it read-only, "Set by your organisation". */
export function isLocked(policy: EffectivePolicy, setting: SettingName): boolean {
  return policy.sourceOf[setting] !== 'default';
}

interface Layer {
  source: Exclude<PolicySource, 'default'>;
  label: string;
  entries: Map<SettingName, { raw: unknown; spelledAs: string }>;
}

function registryLayer(registry: RegistrySource, hive: Hive, source: 'machine' | 'user', warn: (m: string) => void): Layer {
  const where = `${hive}\\${POLICY_KEY}`;
  const layer: Layer = { source, label: `${source} policy (${where})`, entries: new Map() };
  let found: Record<string, string | number> | null;
  try {
    found = registry.readValues(hive, POLICY_KEY);
  } catch (error) {
    warn(`cannot read ${where} (${(error as Error).message}); its settings are not applied`);
    return layer;
  }
  for (const [valueName, raw] of Object.entries(found ?? {})) {
    const name = settingForValueName(valueName);
    if (name) layer.entries.set(name, { raw, spelledAs: valueName });
    else warn(`ignored unknown value ${valueName} in ${where}`);
  }
  return layer;
}

function fileLayer(files: PolicyFileSource, warn: (m: string) => void): Layer {
  const layer: Layer = { source: 'file', label: `policy file ${files.path}`, entries: new Map() };
  let parsed: unknown;
  try {
    const text = files.read();
    if (text === null) return layer;
    // Notepad saves UTF-8 with a byte-order mark, which JSON.parse rejects.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    warn(`ignored ${layer.label}: ${(error as Error).message}`);
    return layer;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    warn(`ignored ${layer.label}: expected a JSON object of settings`);
    return layer;
  }
  for (const [key, raw] of Object.entries(parsed)) {
    // null means "not set here", the same as leaving the key out.
    if (raw === null) continue;
    if (Object.hasOwn(SETTINGS, key)) layer.entries.set(key as SettingName, { raw, spelledAs: key });
    else warn(`ignored unknown setting "${key}" in ${layer.label}`);
  }
  return layer;
}

/**
 * Registry and file values arrive in the shapes admins produce: a DWORD 0/1 for a boolean, a
 * number typed as REG_SZ by Group Policy Preferences, "Sender" with a capital. Those unambiguous
 * spellings are accepted; anything else goes to validation as it is and fails there.
 */
function coerce(spec: SettingSpec, raw: unknown): unknown {
  switch (spec.kind) {
    case 'integer':
      return typeof raw === 'string' && /^\s*\d{1,9}\s*$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      if (raw === 0 || raw === '0' || raw === 'false') return false;
      if (raw === 1 || raw === '1' || raw === 'true') return true;
      return raw;
    case 'enum':
      return typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
    case 'text':
      return raw;
  }
}

/** Text settings are not echoed into logs: a mistyped relay URL might carry a password. */
function show(spec: SettingSpec, raw: unknown): string {
  if (spec.kind === 'text') return typeof raw === 'string' ? `(${raw.length} characters)` : `(${typeof raw})`;
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
