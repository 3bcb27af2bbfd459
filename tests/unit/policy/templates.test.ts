import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { POLICY_KEY, SETTINGS, SETTING_NAMES } from '../../../main/core/policy/schema';
import type { SettingSpec } from '../../../main/core/policy/schema';

const ADMX_PATH = 'build/policy/wardline.admx';
const ADML_PATH = 'build/policy/en-US/wardline.adml';
const admxText = readFileSync(ADMX_PATH, 'utf8');
const admlText = readFileSync(ADML_PATH, 'utf8');

// Elements that may repeat are always arrays, so a template with one policy parses like one with many.
const REPEATING = ['policies.policy', 'categories.category', 'definitions.definition', 'enum.item', 'stringTable.string', 'presentationTable.presentation']
  .concat(['elements.decimal', 'elements.text', 'elements.enum', 'presentation.textBox', 'presentation.decimalTextBox', 'presentation.dropdownList']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jPath) => REPEATING.some((suffix) => String(jPath).endsWith(suffix)),
});

type Node = Record<string, unknown>;
const admx = (parser.parse(admxText) as Node).policyDefinitions as Node;
const adml = (parser.parse(admlText) as Node).policyDefinitionResources as Node;

const nodes = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : value === undefined ? [] : [value as Node]);
const attr = (node: Node | undefined, name: string): string | undefined => node?.[`@${name}`] as string | undefined;
const child = (node: Node | undefined, name: string): Node | undefined => node?.[name] as Node | undefined;

const policies = nodes(child(admx, 'policies')?.policy);
const strings = new Map(nodes(child(child(adml, 'resources'), 'stringTable')?.string).map((s) => [attr(s, 'id'), s['#text']]));
const presentations = new Map(nodes(child(child(adml, 'resources'), 'presentationTable')?.presentation).map((p) => [attr(p, 'id'), p]));

interface Described {
  policy: string;
  valueName: string;
  registryType: 'REG_SZ' | 'REG_DWORD';
  kind: SettingSpec['kind'];
  elementId?: string;
  min?: number;
  max?: number;
  values?: string[];
  /** For a boolean policy: the DWORDs written when enabled and when disabled. */
  onOff?: [string | undefined, string | undefined];
}

/** What a policy writes to the registry, read from its ADMX definition. */
function registryWrites(policy: Node): Described[] {
  const name = attr(policy, 'name') ?? '?';
  const out: Described[] = [];
  const policyValueName = attr(policy, 'valueName');
  if (policyValueName !== undefined) {
    const on = attr(child(child(policy, 'enabledValue'), 'decimal'), 'value');
    const off = attr(child(child(policy, 'disabledValue'), 'decimal'), 'value');
    out.push({ policy: name, valueName: policyValueName, registryType: 'REG_DWORD', kind: 'boolean', onOff: [on, off] });
  }
  const elements = child(policy, 'elements');
  for (const d of nodes(elements?.decimal)) {
    const registryType = attr(d, 'storeAsText') === 'true' ? 'REG_SZ' : 'REG_DWORD';
    out.push({ policy: name, valueName: attr(d, 'valueName') ?? '', registryType, kind: 'integer', elementId: attr(d, 'id'), min: Number(attr(d, 'minValue') ?? 0), max: Number(attr(d, 'maxValue') ?? 9999) });
  }
  for (const t of nodes(elements?.text)) {
    // An expandable text is REG_EXPAND_SZ, which the reader does not expand.
    if (attr(t, 'expandable') === 'true') continue;
    out.push({ policy: name, valueName: attr(t, 'valueName') ?? '', registryType: 'REG_SZ', kind: 'text', elementId: attr(t, 'id') });
  }
  for (const e of nodes(elements?.enum)) {
    const values = nodes(e.item).map((item) => String(child(child(item, 'value'), 'string')));
    out.push({ policy: name, valueName: attr(e, 'valueName') ?? '', registryType: 'REG_SZ', kind: 'enum', elementId: attr(e, 'id'), values });
  }
  return out;
}

const described = policies.flatMap(registryWrites);

describe('Group Policy templates', () => {
  it('are well-formed XML with the Group Policy root elements', () => {
    expect(XMLValidator.validate(admxText)).toBe(true);
    expect(XMLValidator.validate(admlText)).toBe(true);
    const ns = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
    expect(attr(admx, 'xmlns')).toBe(ns);
    expect(attr(adml, 'xmlns')).toBe(ns);
    expect(attr(admx, 'schemaVersion')).toBe('1.0');
    expect(attr(child(child(admx, 'policyNamespaces'), 'target'), 'namespace')).toBe('Wardline.Policies');
    expect(attr(child(child(admx, 'policyNamespaces'), 'target'), 'prefix')).toBe('wardline');
  });

  it("ship an ADML whose revision satisfies the ADMX's minRequiredRevision", () => {
    const [reqMajor, reqMinor] = (attr(child(admx, 'resources'), 'minRequiredRevision') ?? '').split('.').map(Number);
    const [major, minor] = (attr(adml, 'revision') ?? '').split('.').map(Number);
    expect(major).toBe(reqMajor);
    expect(minor).toBeGreaterThanOrEqual(reqMinor ?? Infinity);
  });

  it('put every policy under Software\\Policies\\Wardline, for computer and user, in a defined category and version', () => {
    const categories = new Set(nodes(child(child(admx, 'categories'), 'category')).map((c) => attr(c, 'name')));
    const supported = new Set(nodes(child(child(child(admx, 'supportedOn'), 'definitions'), 'definition')).map((d) => attr(d, 'name')));
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(attr(policy, 'key'), attr(policy, 'name')).toBe(POLICY_KEY);
      expect(attr(policy, 'class'), attr(policy, 'name')).toBe('Both');
      expect(categories).toContain(attr(child(policy, 'parentCategory'), 'ref'));
      expect(supported).toContain(attr(child(policy, 'supportedOn'), 'ref'));
    }
  });

  it('map every policy to exactly one setting of the schema, named after its registry value', () => {
    for (const policy of policies) expect(described.filter((d) => d.policy === attr(policy, 'name'))).toHaveLength(1);
    for (const d of described) expect(d.policy, 'the ADMX policy is named after its registry value').toBe(d.valueName);
    const schemaValueNames = SETTING_NAMES.map((name) => SETTINGS[name].valueName).sort();
    expect(described.map((d) => d.valueName).sort()).toEqual(schemaValueNames);
  });

  it('write the registry type, range and choices the schema validates', () => {
    for (const name of SETTING_NAMES) {
      const spec: SettingSpec = SETTINGS[name];
      const d = described.find((x) => x.valueName === spec.valueName);
      expect(d, spec.valueName).toBeDefined();
      expect({ kind: d?.kind, type: d?.registryType }, spec.valueName).toEqual({ kind: spec.kind, type: spec.registryType });
      if (spec.kind === 'integer') expect({ min: d?.min, max: d?.max }, spec.valueName).toEqual({ min: spec.min, max: spec.max });
      if (spec.kind === 'enum') expect(d?.values, spec.valueName).toEqual([...spec.values]);
      if (spec.kind === 'boolean') expect(d?.onOff, `${spec.valueName}: enabled writes 1, disabled 0`).toEqual(['1', '0']);
    }
  });

  it('reference only strings and presentations that the ADML defines, and the ADML holds nothing unused', () => {
    const usedStrings = new Set([...admxText.matchAll(/\$\(string\.([^)]+)\)/g)].map((m) => m[1]));
    const usedPresentations = new Set([...admxText.matchAll(/\$\(presentation\.([^)]+)\)/g)].map((m) => m[1]));
    for (const id of usedStrings) expect(strings.has(id), `string ${id}`).toBe(true);
    for (const id of usedPresentations) expect(presentations.has(id), `presentation ${id}`).toBe(true);
    expect([...strings.keys()].filter((id) => !usedStrings.has(id))).toEqual([]);
    expect([...presentations.keys()].filter((id) => !usedPresentations.has(id))).toEqual([]);
    for (const [id, text] of strings) expect(String(text ?? '').trim(), `string ${id} is empty`).not.toBe('');
  });

  it('give every element a control of the matching kind, showing the schema default', () => {
    const control = { integer: 'decimalTextBox', text: 'textBox', enum: 'dropdownList' } as const;
    for (const d of described) {
      if (d.kind === 'boolean') {
        expect(attr(policies.find((p) => attr(p, 'name') === d.policy), 'presentation'), `${d.policy} needs no dialog`).toBeUndefined();
        continue;
      }
      const policy = policies.find((p) => attr(p, 'name') === d.policy);
      const presentationId = /^\$\(presentation\.(.+)\)$/.exec(attr(policy, 'presentation') ?? '')?.[1];
      const presentation = presentations.get(presentationId);
      const controls = nodes(presentation?.[control[d.kind]]);
      expect(controls.map((c) => attr(c, 'refId')), d.policy).toEqual([d.elementId]);
      const spec: SettingSpec = SETTINGS[SETTING_NAMES.find((n) => SETTINGS[n].valueName === d.valueName) ?? 'relayUrl'];
      if (spec.kind === 'integer') expect(Number(attr(controls[0], 'defaultValue')), d.policy).toBe(spec.default);
      if (spec.kind === 'enum') expect(Number(attr(controls[0], 'defaultItem')), d.policy).toBe(spec.values.indexOf(spec.default));
    }
  });

  it('are all listed in the deployment guide and the admin README', () => {
    for (const doc of ['docs/deploying.md', 'build/policy/README.md']) {
      const text = readFileSync(doc, 'utf8');
      for (const name of SETTING_NAMES) expect(text, `${doc} lists ${SETTINGS[name].valueName}`).toContain(SETTINGS[name].valueName);
    }
  });
});
