/**
 * The JSON layer of the plan validator (plan-validate.ts), pure: reading untrusted JSON values
 * (own keys only, RFC 6901 pointers), one scan for forbidden keys, non-JSON values and nesting,
 * and sorting problems into document order.
 */
import { PLAN_LIMITS } from './plan-schema.ts';
import { escapePointer, type Problem } from './registry-params.ts';

export type Obj = Record<string, unknown>;

export const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
export const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);
export const at = (pointer: string, ...segments: (string | number)[]) =>
  pointer + segments.map((s) => `/${escapePointer(s)}`).join('');
export const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/**
 * One iterative pass over every JSON value: the pre-order index of each pointer (document
 * order), forbidden keys, non-JSON values and excessive nesting.
 */
export function scanJson(def: unknown, problems: Problem[]): Map<string, number> {
  const order = new Map<string, number>();
  const stack: { v: unknown; p: string; depth: number }[] = [{ v: def, p: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, p, depth } = stack.pop()!;
    order.set(p, order.size);
    if (depth > PLAN_LIMITS.maxJsonDepth) {
      problems.push({ pointer: p, reason: `too deep: JSON nests at most ${PLAN_LIMITS.maxJsonDepth} levels` });
      continue;
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push({ pointer: p, reason: 'not a JSON number' });
      continue;
    }
    if (typeof v !== 'object') {
      problems.push({ pointer: p, reason: `not a JSON value: ${typeof v}` });
      continue;
    }
    const children: { v: unknown; p: string; depth: number }[] = [];
    if (Array.isArray(v)) v.forEach((x, i) => children.push({ v: x, p: at(p, i), depth: depth + 1 }));
    else {
      for (const k of Object.keys(v)) {
        const kp = at(p, k);
        if (FORBIDDEN.has(k)) {
          order.set(kp, order.size);
          problems.push({ pointer: kp, reason: `key '${k}' is not allowed (prototype pollution)` });
          continue;
        }
        children.push({ v: (v as Obj)[k], p: kp, depth: depth + 1 });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return order;
}

/** Stable sort by the document position of each pointer (or its nearest existing ancestor). */
export function sortByDocument(list: Problem[], order: Map<string, number>): Problem[] {
  const rank = (pointer: string): number => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const r = order.get(p);
      if (r !== undefined) return r;
      if (p === '') return 0;
    }
  };
  return list
    .map((problem, i) => ({ problem, i, r: rank(problem.pointer) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.problem);
}
