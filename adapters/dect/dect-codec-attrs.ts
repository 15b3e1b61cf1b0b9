/**
 * Reading attributes of OM AXI elements (dect-codec-decode.ts, dect-codec-pp.ts), pure: exact name
 * first, then ignoring case; integers as safe integers; booleans as 1/0/true/false; addresses
 * with a lowercased scheme. `need*` readers throw `Missing`, which decodeAxi turns into
 * `ok: false` with the reason.
 */
import type { AxiElement } from './dect-codec.ts';

/** A required attribute was missing or malformed: decodeAxi turns it into `ok: false`. */
export class Missing extends Error {}

/** Attribute lookup: exact name first, then ignoring case. */
export function raw(el: AxiElement, name: string): string | undefined {
  const exact = el.attrs[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(el.attrs)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*[-+]?\d{1,16}\s*$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function bool(s: string | undefined): boolean | undefined {
  switch (s?.trim().toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      return undefined;
  }
}

/** Lowercases an address's URI scheme (`Tel:8378` → `tel:8378`); other text is unchanged. */
export function normalizeAddress(addr: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(addr);
  return m === null ? addr : m[1]!.toLowerCase() + addr.slice(m[1]!.length);
}

/** Typed attribute readers over one element; `need*` throw Missing. */
export function reader(el: AxiElement) {
  const need = <T>(name: string, v: T | undefined): T => {
    if (v === undefined) throw new Missing(`${el.name}: missing or invalid '${name}'`);
    return v;
  };
  const r = {
    str: (n: string) => raw(el, n),
    int: (n: string) => int(raw(el, n)),
    bool: (n: string) => bool(raw(el, n)),
    addr: (n: string) => {
      const v = raw(el, n);
      return v === undefined ? undefined : normalizeAddress(v);
    },
    needStr: (n: string) => need(n, raw(el, n)),
    needInt: (n: string) => need(n, int(raw(el, n))),
    needAddr: (n: string) => need(n, r.addr(n)),
  };
  return r;
}

/** Copies `o` without its undefined properties, so decoded objects compare equal to literals. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The first child element named `name` (exact, then ignoring case). */
export function child(el: AxiElement, name: string): AxiElement | undefined {
  return (
    el.children.find((c) => c.name === name) ?? el.children.find((c) => c.name.toLowerCase() === name.toLowerCase())
  );
}
