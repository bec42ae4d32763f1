import { readFileSync } from 'node:fs';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** A CloudFormation template as JSON, as far as these tests read it. */
export interface CfnTemplate {
  Transform?: string | string[];
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions?: Record<string, unknown>;
  Globals?: Record<string, Record<string, unknown>>;
  Resources: Record<
    string,
    {
      Type: string;
      Properties?: Record<string, unknown>;
      Condition?: string;
      DependsOn?: string | string[];
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
      Metadata?: Record<string, unknown>;
    }
  >;
  Outputs?: Record<string, { Value: unknown }>;
}

// --- CloudFormation short-form tags for the `yaml` package --------------------------------

/** `!Name value` as `{ 'Fn::Name': value }` (or `Ref` / `Condition`). */
function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function scalarTag(name: string, convert: (value: string) => unknown = (value) => value): ScalarTag {
  return { tag: `!${name}`, resolve: (value: string) => ({ [longForm(name)]: convert(value) }) };
}

function collectionTag(name: string, collection: 'seq' | 'map'): CollectionTag {
  return {
    tag: `!${name}`,
    collection,
    resolve: (node: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [longForm(name)]: node.toJSON() }),
  } as CollectionTag;
}

/** Functions CloudFormation accepts in short form, and the node shapes each is written in. */
const SHORT_FORMS: ReadonlyArray<[name: string, shapes: ReadonlyArray<'scalar' | 'seq' | 'map'>]> = [
  ['Ref', ['scalar']],
  ['Condition', ['scalar']],
  ['GetAtt', ['scalar', 'seq']],
  ['Sub', ['scalar', 'seq']],
  ['Join', ['seq']],
  ['If', ['seq']],
  ['Not', ['seq']],
  ['Equals', ['seq']],
  ['And', ['seq']],
  ['Or', ['seq']],
  ['Select', ['seq']],
  ['Split', ['seq']],
  ['FindInMap', ['seq']],
  ['Cidr', ['seq']],
  ['Contains', ['seq']],
  ['EachMemberEquals', ['seq']],
  ['EachMemberIn', ['seq']],
  ['ValueOf', ['seq']],
  ['ValueOfAll', ['seq']],
  ['RefAll', ['scalar']],
  ['Base64', ['scalar', 'map']],
  ['GetAZs', ['scalar', 'map']],
  ['ImportValue', ['scalar', 'map']],
  ['ToJsonString', ['seq', 'map']],
  ['Length', ['seq', 'map']],
  ['Transform', ['map']],
];

/** Custom tags that turn CloudFormation's short forms into the JSON (long) forms. */
export const cloudFormationTags: Array<ScalarTag | CollectionTag> = SHORT_FORMS.flatMap(([name, shapes]) =>
  shapes.map((shape) =>
    shape === 'scalar'
      ? // `!GetAtt Resource.Attribute` is the scalar spelling of `[Resource, Attribute]`.
        scalarTag(name, name === 'GetAtt' ? (value) => splitGetAtt(value) : undefined)
      : collectionTag(name, shape),
  ),
);

function splitGetAtt(value: string): [string, string] {
  const dot = value.indexOf('.');
  if (dot <= 0) throw new Error(`!GetAtt ${value}: expected Resource.Attribute`);
  return [value.slice(0, dot), value.slice(dot + 1)];
}

/** Reads a CloudFormation or SAM template written in YAML with short-form tags. */
export function readCloudFormationYaml(path: string): CfnTemplate {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags, strict: true, uniqueKeys: true }) as CfnTemplate;
}

// --- References ----------------------------------------------------------------------------

/** What a template value refers to: logical ids and parameter names, and condition names. */
export function referencesIn(value: unknown, found = { names: new Set<string>(), conditions: new Set<string>() }) {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
    return found;
  }
  if (value === null || typeof value !== 'object') return found;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') found.names.add(inner);
    else if (key === 'Fn::GetAtt') found.names.add(Array.isArray(inner) ? String(inner[0]) : splitGetAtt(String(inner))[0]);
    else if (key === 'Fn::Sub') {
      const [text, variables = {}] = Array.isArray(inner) ? inner : [inner];
      for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const target = name!.split('.')[0]!;
        if (!Object.hasOwn(variables as object, name!)) found.names.add(target);
      }
      referencesIn(variables, found);
      continue;
    } else if (key === 'Condition' && typeof inner === 'string') found.conditions.add(inner);
    else if (key === 'Fn::If' && Array.isArray(inner)) found.conditions.add(String(inner[0]));
    referencesIn(inner, found);
  }
  return found;
}

/** Throws unless every `Ref`, `GetAtt`, `Sub` variable and condition name exists. */
export function assertReferencesResolve(template: CfnTemplate): void {
  const known = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources)]);
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const { names, conditions: used } = referencesIn({
    Conditions: template.Conditions,
    Resources: template.Resources,
    Outputs: template.Outputs,
    Globals: template.Globals,
  });
  for (const resource of Object.values(template.Resources)) if (resource.Condition) used.add(resource.Condition);
  const missing = [...names].filter((name) => !name.startsWith('AWS::') && !known.has(name));
  const missingConditions = [...used].filter((name) => !conditions.has(name));
  if (missing.length > 0 || missingConditions.length > 0) {
    throw new Error(`unresolved references: ${[...missing, ...missingConditions.map((c) => `condition ${c}`)].join(', ')}`);
  }
}

/** Throws with the cycle's path if the resources depend on each other in a cycle. */
export function assertAcyclic(template: CfnTemplate): void {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const { names } = referencesIn(resource.Properties ?? {});
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    edges.set(id, [...names, ...dependsOn].filter((name) => name in template.Resources));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`dependency cycle: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of edges.keys()) visit(id, []);
}

/**
 * The value as CloudFormation deploys it for one choice of condition values: each `Fn::If`
 * replaced by its chosen branch, and `Ref: AWS::NoValue` removed from objects and lists.
 */
export function resolveConditions(value: unknown, conditions: Readonly<Record<string, boolean>>): unknown {
  const NO_VALUE = Symbol('AWS::NoValue');
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    if (entries.length === 1 && entries[0]![0] === 'Ref' && entries[0]![1] === 'AWS::NoValue') return NO_VALUE;
    if (entries.length === 1 && entries[0]![0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = entries[0]![1] as [string, unknown, unknown];
      if (!(name in conditions)) throw new Error(`no value given for condition ${name}`);
      return walk(conditions[name] ? whenTrue : whenFalse);
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, walk(inner)]).filter(([, inner]) => inner !== NO_VALUE));
  };
  const resolved = walk(value);
  return resolved === NO_VALUE ? undefined : resolved;
}

// --- The README's contract -----------------------------------------------------------------

/** The EventBridge rule pattern the package docs (docs/admin-changes.md) document for the admin-change handler. */
export function documentedAdminChangePattern(): unknown {
  const readme = readFileSync(new URL('../../docs/admin-changes.md', import.meta.url), 'utf8');
  const match = /EventBridge rule pattern[^\n]*\n+```json\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('docs/admin-changes.md no longer documents an "EventBridge rule pattern" JSON block');
  return JSON.parse(match[1]!);
}

// --- The built package ---------------------------------------------------------------------

/**
 * The package name, as the examples import it: it resolves to the built dist/ through the
 * package's own `exports`. Held in a variable so that the root type check does not need a build.
 */
export const PACKAGE = 'cognito-profile-sync';
