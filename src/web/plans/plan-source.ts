/**
 * The plan editor's text, purely: where a validator's JSON pointer sits in the text (so a
 * problem shows at its line), and the plan's JSON parsed leniently. The validator speaks RFC
 * 6901 pointers into the plan (`/states/levelA/after/5000`); the editor needs offsets.
 */
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';

/** Where a problem sits: offsets into the text and the 1-based line of `from`. */
export interface SourceRange {
  readonly from: number;
  readonly to: number;
  readonly line: number;
}

/** RFC 6901 segments of `pointer` (`''` is the root: no segments). Total. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return pointer === '/' ? [''] : [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The 1-based line of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The end of the line `offset` is on (the offset of its newline, or the text's end). */
const lineEnd = (text: string, offset: number): number => {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
};

/**
 * Where `pointer` points in `text`: the property (key and value) or array item it names, cut
 * to its first line so a whole object is not underlined. A pointer into something the text
 * does not have (a missing member) lands on its deepest existing ancestor; one the text cannot
 * place at all (unparseable text) on the first line. Total.
 */
export function rangeOfPointer(text: string, pointer: string): SourceRange {
  const root = parseTree(text);
  if (!root) return { from: 0, to: lineEnd(text, 0), line: 1 };
  let segments = pointerSegments(pointer);
  let node: Node | undefined;
  for (; ; segments = segments.slice(0, -1)) {
    node = findNodeAtLocation(root, typed(root, segments));
    if (node || segments.length === 0) break;
  }
  const target = node ?? root;
  // A member's value: start at its key, so the line shown is the one naming it.
  const start = target.parent?.type === 'property' ? target.parent.offset : target.offset;
  const from = Math.min(start, text.length);
  const to = Math.max(from, Math.min(target.offset + target.length, lineEnd(text, from)));
  return { from, to, line: lineAt(text, from) };
}

/** Array indexes as numbers (jsonc-parser's paths need them), where the tree has an array. */
function typed(root: Node, segments: readonly string[]): (string | number)[] {
  const out: (string | number)[] = [];
  let node: Node | undefined = root;
  for (const s of segments) {
    const index: string | number = node?.type === 'array' && /^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s;
    out.push(index);
    node = node ? findNodeAtLocation(node, [index]) : undefined;
  }
  return out;
}

/** The text parsed strictly: the value, or the first syntax error's offset. */
export function parsePlanText(text: string): { ok: true; value: unknown } | { ok: false; offset: number } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !root) return { ok: false, offset: errors[0]?.offset ?? 0 };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, offset: 0 };
  }
}

/** A plan pretty-printed as the editor shows it: two spaces, a final newline. */
export const formatPlan = (plan: unknown): string => `${JSON.stringify(plan, null, 2)}\n`;

/** A validator problem placed in the text. */
export interface LocatedProblem extends SourceRange {
  readonly pointer: string;
  readonly reason: string;
}

/** Each problem with its place in `text`, in text order (stable for problems on one spot). */
export const locateProblems = (
  text: string,
  problems: readonly { readonly pointer: string; readonly reason: string }[],
): LocatedProblem[] =>
  problems.map((p) => ({ ...p, ...rangeOfPointer(text, p.pointer) })).sort((a, b) => a.from - b.from);
