/**
 * A small structural diff of two JSON values, as JSON-pointer changes (RFC 6901 pointers).
 * Objects are compared key by key, arrays index by index (a shorter array loses its tail
 * with `remove`s from the end, so the changes apply in order); any other difference is a
 * `replace` of the whole value. Pure; `applyJsonChanges` is its inverse for tests and tools.
 */

export type JsonChange =
  | { readonly op: 'add'; readonly pointer: string; readonly to: unknown }
  | { readonly op: 'remove'; readonly pointer: string; readonly from: unknown }
  | { readonly op: 'replace'; readonly pointer: string; readonly from: unknown; readonly to: unknown };

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (seg: string): string => seg.replace(/~1/g, '/').replace(/~0/g, '~');

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The changes that turn `a` into `b`, in an order in which they can be applied; [] when equal. */
export function jsonDiff(a: unknown, b: unknown, pointer = ''): JsonChange[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: JsonChange[] = [];
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) out.push(...jsonDiff(a[i], b[i], `${pointer}/${i}`));
    for (let i = common; i < b.length; i++) out.push({ op: 'add', pointer: `${pointer}/${i}`, to: b[i] });
    for (let i = a.length - 1; i >= common; i--) out.push({ op: 'remove', pointer: `${pointer}/${i}`, from: a[i] });
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: JsonChange[] = [];
    for (const k of Object.keys(a).sort()) {
      const p = `${pointer}/${escape(k)}`;
      if (!Object.hasOwn(b, k)) out.push({ op: 'remove', pointer: p, from: a[k] });
      else out.push(...jsonDiff(a[k], b[k], p));
    }
    for (const k of Object.keys(b).sort()) {
      if (!Object.hasOwn(a, k)) out.push({ op: 'add', pointer: `${pointer}/${escape(k)}`, to: b[k] });
    }
    return out;
  }
  // `===`: JSON has no -0, so 0 and -0 are one value (JSON.stringify writes both as 0).
  if (a === b) return [];
  return [{ op: 'replace', pointer, from: a, to: b }];
}

/** Applies `changes` (as jsonDiff makes them) to a copy of `value`. Throws on a pointer that does not resolve. */
export function applyJsonChanges(value: unknown, changes: readonly JsonChange[]): unknown {
  let root = structuredClone(value);
  for (const c of changes) {
    if (c.pointer === '') {
      if (c.op === 'remove') throw new Error('cannot remove the root');
      root = structuredClone(c.to);
      continue;
    }
    const segs = c.pointer.slice(1).split('/').map(unescape);
    const last = segs.pop()!;
    let parent: unknown = root;
    for (const s of segs) {
      parent = (parent as Record<string, unknown>)[s];
      if (parent === null || typeof parent !== 'object') throw new Error(`${c.pointer} does not resolve`);
    }
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (c.op === 'add') parent.splice(i, 0, structuredClone(c.to));
      else if (c.op === 'remove') parent.splice(i, 1);
      else parent[i] = structuredClone(c.to);
    } else {
      const obj = parent as Record<string, unknown>;
      if (c.op === 'remove') delete obj[last];
      // defineProperty, not assignment: a `__proto__` key stays an own data property.
      else
        Object.defineProperty(obj, last, {
          value: structuredClone(c.to),
          writable: true,
          enumerable: true,
          configurable: true,
        });
    }
  }
  return root;
}
