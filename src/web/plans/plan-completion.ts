/**
 * Schema-aware completion for the plan editor, purely: at a property key, the members the plan
 * JSON Schema (GET /api/v1/schemas/plan.json) allows there and the text lacks; at a value, the
 * schema's enum and const values (action, guard, delay names, `final`/`parallel`), and for a
 * `target` or `initial` the state names the plan has. Written here, about a hundred lines over
 * jsonc-parser's getLocation, because codemirror-json-schema pulls in shiki (megabytes of
 * grammars) for the same few suggestions. Only the schema keywords the plan schema uses are
 * followed: $ref (local), anyOf, properties, additionalProperties, items, propertyNames, enum, const.
 */
import { getLocation, parse, type JSONPath } from 'jsonc-parser';

export type Schema = { readonly [k: string]: unknown };

export interface Suggestion {
  readonly label: string;
  readonly kind: 'property' | 'value' | 'state';
  /** The schema's description, when it has one. */
  readonly info?: string;
}

export interface Completion {
  /** The offset the suggestions replace from (after an opening quote, or the word's start). */
  readonly from: number;
  /** Whether the word is inside quotes (else an option inserts its own quotes). */
  readonly quoted: boolean;
  readonly suggestions: readonly Suggestion[];
}

const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `schema` with local $refs and anyOf alternatives spread out (a list of plain alternatives). */
function expand(root: Schema, schema: unknown, seen = new Set<unknown>()): Schema[] {
  if (!isSchema(schema) || seen.has(schema)) return [];
  seen.add(schema);
  const out: Schema[] = [schema];
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    const target = schema.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((s, k) => (isSchema(s) ? s[k] : undefined), root);
    out.push(...expand(root, target, seen));
  }
  for (const alt of Array.isArray(schema.anyOf) ? schema.anyOf : []) out.push(...expand(root, alt, seen));
  return out;
}

/** The schemas that apply at `path` below `root`. */
export function schemasAt(root: Schema, path: JSONPath): Schema[] {
  let here = expand(root, root);
  for (const seg of path) {
    here = here.flatMap((s) => {
      if (typeof seg === 'number') return expand(root, s.items);
      const props = isSchema(s.properties) ? s.properties : {};
      if (Object.hasOwn(props, seg)) return expand(root, props[seg]);
      return isSchema(s.additionalProperties) ? expand(root, s.additionalProperties) : [];
    });
  }
  return here;
}

const describe = (s: unknown): string | undefined =>
  isSchema(s) && typeof s.description === 'string' ? s.description : undefined;

/** Member names offered at an object of `schemas`: its properties, and its propertyNames' enums. */
function memberNames(root: Schema, schemas: readonly Schema[]): Suggestion[] {
  const out: Suggestion[] = [];
  for (const s of schemas) {
    if (isSchema(s.properties))
      for (const [k, v] of Object.entries(s.properties)) out.push({ label: k, kind: 'property', info: describe(v) });
    for (const n of expand(root, s.propertyNames))
      if (Array.isArray(n.enum)) for (const e of n.enum) out.push({ label: String(e), kind: 'property' });
  }
  return out;
}

function values(schemas: readonly Schema[]): Suggestion[] {
  const out: Suggestion[] = [];
  for (const s of schemas) {
    if (Array.isArray(s.enum))
      for (const e of s.enum) if (typeof e === 'string') out.push({ label: e, kind: 'value', info: describe(s) });
    if (typeof s.const === 'string') out.push({ label: s.const, kind: 'value' });
  }
  return out;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The state object whose member `path` is inside (`['states','a','on','X','target']` → path of a). */
function enclosingState(path: JSONPath): JSONPath {
  let last = 0;
  for (let i = 0; i + 1 < path.length; i += 1) if (path[i] === 'states') last = i + 2;
  return path.slice(0, last);
}

/** State names for a target (the state's siblings and its children as `.child`) or an `initial`. */
function stateNames(doc: unknown, path: JSONPath, key: string | number | undefined): Suggestion[] {
  const statePath = enclosingState(path);
  const at = (p: JSONPath): unknown => p.reduce<unknown>((v, k) => (isObject(v) ? v[k as string] : undefined), doc);
  const keysOf = (v: unknown) => (isObject(v) && isObject(v.states) ? Object.keys(v.states) : []);
  if (key === 'initial') return keysOf(at(statePath)).map((label) => ({ label, kind: 'state' }));
  const siblings = statePath.length >= 2 ? keysOf(at(statePath.slice(0, -2))) : [];
  const children = keysOf(at(statePath)).map((k) => `.${k}`);
  return [...siblings, ...children].map((label) => ({ label, kind: 'state' }));
}

/** Whether a value at `path` names a state: `initial`, `target`, or a transition written as its target. */
function isTargetPosition(path: JSONPath): boolean {
  const tail = typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
  const key = tail[tail.length - 1];
  const parent = tail[tail.length - 2];
  return key === 'initial' || key === 'target' || parent === 'on' || parent === 'after' || key === 'always';
}

const WORD = /[A-Za-z0-9_.#-]*$/;

/** The suggestions at `offset` in `text` under `schema`; undefined when there are none. Total. */
export function completePlan(schema: Schema, text: string, offset: number): Completion | undefined {
  const before = text.slice(0, offset);
  const word = WORD.exec(before)?.[0] ?? '';
  const wordStart = offset - word.length;
  const quoted = text[wordStart - 1] === '"';
  const loc = getLocation(text, offset);
  const doc = parse(text) as unknown;
  const path = loc.path;
  let suggestions: Suggestion[];
  if (loc.isAtPropertyKey) {
    const objectPath = path.slice(0, -1);
    const existing = objectPath.reduce<unknown>((v, k) => (isObject(v) ? v[k as string] : undefined), doc);
    const present = new Set(isObject(existing) ? Object.keys(existing) : []);
    suggestions = memberNames(schema, schemasAt(schema, objectPath)).filter(
      (s) => !present.has(s.label) || s.label === word,
    );
  } else {
    const key = path[path.length - 1];
    suggestions = [...values(schemasAt(schema, path)), ...(isTargetPosition(path) ? stateNames(doc, path, key) : [])];
  }
  const seen = new Set<string>();
  const unique = suggestions.filter((s) => !seen.has(s.label) && seen.add(s.label));
  const matching = unique.filter((s) => s.label.toLowerCase().startsWith(word.toLowerCase()));
  return matching.length === 0 ? undefined : { from: wordStart, quoted, suggestions: matching };
}
