// @ts-check
/**
 * Lint = typescript-eslint's recommended rules (syntax only, no type information, so `eslint .`
 * stays fast; `tsc` does the type checking) plus the import boundaries of DESIGN.md ("Layout",
 * "Import rules"). test/unit/boundaries.test.ts shows that each boundary rule can fail.
 *
 * How the boundaries work. `no-restricted-imports` sees only the specifier string, never the
 * resolved file, and a later config object replaces (never merges) an earlier one's options for
 * the same rule. So every file gets exactly one `no-restricted-imports` entry, generated per
 * folder ("zone") and per nesting depth: a file k folders deep inside its zone leaves the zone
 * with exactly k `../`, and from there on the target's path is known by name. Imports inside a
 * zone stay allowed (their full path is unknown, and nothing needs them checked). Relative
 * specifiers must be normalised (no `a/../b`), or they could not be read this way.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const EXTS = '{ts,tsx,mts,cts,js,mjs,cjs}';
/** Deepest nesting (folders below a zone's root) the per-depth rules are generated for. */
const MAX_DEPTH = 6;
/** An optional source-file extension at the end of a specifier. */
const EXT = '(\\.[cm]?[jt]sx?)?$';
/** One normal path segment (not `.` or `..`). */
const SEG = '[^/.][^/]*';

const up = (/** @type {number} */ n) => (n === 0 ? '' : `(\\.\\./){${n}}`);
/** A repository path as a regex source; `*` stands for any one segment. */
const pathRe = (/** @type {string} */ p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', SEG);

const MSG = {
  impl:
    'runtime code depends on ports: only src/app/ (the composition root), test/ and bench/ import concrete ' +
    'stores, dialects, schedulers, clocks and notifiers (DESIGN.md, Import rules).',
  machines:
    'machines/ is pure: it imports only xstate, xstate/graph, other machines/ files and src/domain/ ' +
    '(DESIGN.md, Import rules).',
  domain: 'src/domain/ imports nothing outside src/domain/ except zod.',
  ports: 'src/ports/ holds interfaces: it imports (types only) from src/domain/ and src/ports/, nothing else.',
  sibling: 'an adapter never imports another adapter; share code through adapters/shared/, src/domain/ or src/ports/.',
  app: 'adapters never import src/app/: the composition root wires them, not the other way round.',
  normalise: 'write relative imports without `.` or `..` in the middle, so the boundary rules can read them.',
  deep: `nested deeper than eslint.config.js checks (${MAX_DEPTH} folders): flatten it or raise MAX_DEPTH.`,
  time: 'time is an input: use the Clock port',
};

/**
 * Concrete implementations, by folder and file name (the Clock implementations live with the
 * schedulers and count too). Only src/app, test and bench import them;
 * within its own folder an implementation may build on another of its family (pglite-store on
 * pglite-dialect), while the folder's other files (a notify pipeline, migrations) may not.
 */
const IMPLS = [
  { dir: 'src/store', file: '[^/]*-(store|dialect[^/]*)', glob: ['*-store', '*-dialect*'] },
  { dir: 'src/scheduler', file: '[^/]*-(scheduler|clock)', glob: ['*-scheduler', '*-clock'] },
  { dir: 'src/notify', file: '[^/]*-notifier', glob: ['*-notifier'] },
];

/**
 * @typedef {{ dir: string, file?: string, except?: string }} Target  a folder (segments may be `*`), optionally
 *   a file-name regex; `except`: a subfolder of `dir` that is not part of the target
 * @typedef {{ regex: string, message: string, caseSensitive?: boolean }} Pattern
 * @typedef {{
 *   zone: string,
 *   packages?: string[],
 *   allowOut?: string[],
 *   denyOut?: { targets: Target[], message: string }[],
 *   denyIn?: { file: string, message: string }[],
 *   extra?: Pattern[],
 *   message?: string,
 *   ignores?: string[],
 *   depths?: number,
 * }} Zone
 *   `packages`: regexes of the only bare specifiers allowed (omit: any). `allowOut`: the only
 *   folders outside the zone that may be imported (omit: any, minus `denyOut`). `denyIn`: file
 *   names that may not be imported from inside the zone. `message` explains `packages` and
 *   `allowOut`. `depths`: how deep files are checked (default MAX_DEPTH, then a catch-all).
 */

/**
 * The folders above a zone's root, nearest first, with how many `../` beyond the zone reach them.
 * @param {string} zone
 */
function ancestors(zone) {
  const segs = zone.split('/');
  return segs.map((_, i) => ({ dir: segs.slice(0, segs.length - 1 - i).join('/'), extra: i }));
}

/**
 * Regex (after leaving the zone with k `../`) for `target`, reached through ancestor `anc`.
 * @param {Target} target @param {{dir: string, extra: number}} anc @param {boolean} prefixOnly
 */
function viaAncestor(target, anc, prefixOnly) {
  if (anc.dir !== '' && target.dir !== anc.dir && !target.dir.startsWith(`${anc.dir}/`)) return undefined;
  const rel = anc.dir === '' ? target.dir : target.dir.slice(anc.dir.length + 1);
  const not = target.except === undefined ? '' : `(?!${pathRe(target.except)}(/|$))`;
  const head = up(anc.extra) + (rel === '' ? not + SEG : pathRe(rel));
  if (prefixOnly) return `${head}/`;
  const below = rel === '' ? '' : not;
  return target.file === undefined ? `${head}(/${below}|$)` : `${head}/${below}(${SEG}/)*${target.file}${EXT}`;
}

/**
 * The patterns every file of `z` gets, whatever its depth.
 * @param {Zone} z @returns {Pattern[]}
 */
function basePatterns(z) {
  /** @type {Pattern[]} */
  const out = [{ regex: '^\\./\\.|(^|/)[^/.][^/]*/(.*/)?\\.\\.?(/|$)|^\\.\\.?$', message: MSG.normalise }];
  if (z.packages !== undefined) {
    // `(?!)` matches nothing: with no package allowed, only relative specifiers pass.
    const allowed = z.packages.length === 0 ? '(?!)' : z.packages.join('|');
    out.push({ regex: `^(?!\\.{1,2}/|(${allowed})$)`, message: z.message ?? '' });
  }
  return [...out, ...(z.extra ?? [])];
}

/**
 * The `no-restricted-imports` patterns for a file `k` folders deep in `z`.
 * @param {Zone} z @param {number} k @returns {Pattern[]}
 */
function patternsAt(z, k) {
  const ancs = ancestors(z.zone);
  const out = basePatterns(z);
  if (z.allowOut !== undefined) {
    const allowed = z.allowOut.flatMap((dir) =>
      ancs.map((a) => viaAncestor({ dir }, a, true)).filter((r) => r !== undefined),
    );
    const not = allowed.length === 0 ? '' : `(?!${allowed.join('|')})`;
    out.push({ regex: `^${up(k)}${not}`, message: z.message ?? '' });
  }
  for (const { targets, message } of z.denyOut ?? []) {
    const alts = targets.flatMap((t) => ancs.map((a) => viaAncestor(t, a, false)).filter((r) => r !== undefined));
    out.push({ regex: `^${up(k)}(${alts.join('|')})`, message });
  }
  for (const { file, message } of z.denyIn ?? []) {
    const within = k === 1 ? '\\./' : `(\\./|(\\.\\./){1,${k - 1}})`;
    out.push({ regex: `^${within}(${SEG}/)*${file}${EXT}`, message });
  }
  return out;
}

/**
 * Config objects for one zone: a catch-all for files deeper than MAX_DEPTH (any `../` fails
 * there), then one per depth, which override it.
 * @param {Zone} z
 */
function zone(z) {
  const depths = z.depths ?? MAX_DEPTH;
  const ignores = z.ignores ? { ignores: z.ignores } : {};
  /** @param {Pattern[]} patterns */
  const rule = (patterns) => ({
    'no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ ...p, caseSensitive: true })) }],
  });
  const deeper = {
    name: `boundaries/${z.zone}/deeper`,
    files: [`${z.zone}/**/*.${EXTS}`],
    ...ignores,
    rules: rule([...basePatterns(z), { regex: '^\\.\\./', message: MSG.deep }]),
  };
  return [
    ...(depths === MAX_DEPTH ? [deeper] : []),
    ...Array.from({ length: depths }, (_, i) => ({
      name: `boundaries/${z.zone}/depth-${i + 1}`,
      files: [`${z.zone}/${'*/'.repeat(i)}*.${EXTS}`],
      ...ignores,
      rules: rule(patternsAt(z, i + 1)),
    })),
  ];
}

const noImpls = { targets: IMPLS.map(({ dir, file }) => ({ dir, file })), message: MSG.impl };
const clockSyntax = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: MSG.time },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: MSG.time },
  { selector: "CallExpression[callee.name='Date']", message: MSG.time },
];
const noDynamicImport = { selector: 'ImportExpression', message: 'no dynamic import() here: it hides dependencies.' };

export default defineConfig([
  globalIgnores(['node_modules/', 'data/', 'dist/', '.tmp/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'tocsin/base',
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests read JSON answers and build test doubles; `any` there costs nothing and saves noise.
    name: 'tocsin/tests',
    files: [`test/**/*.${EXTS}`, `bench/**/*.${EXTS}`],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    name: 'tocsin/plain-js',
    files: [`**/*.{js,mjs,cjs}`],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' } },
  },

  // Everything in src/ except the composition root: no concrete implementations.
  ...zone({ zone: 'src/*', denyOut: [noImpls] }),
  ...IMPLS.flatMap(({ dir, file, glob }) =>
    zone({
      zone: dir,
      denyOut: [noImpls],
      denyIn: [{ file, message: MSG.impl }],
      ignores: glob.map((g) => `${dir}/**/${g}.${EXTS}`),
    }),
  ),
  { name: 'boundaries/src/app', files: [`src/app/**/*.${EXTS}`], rules: { 'no-restricted-imports': 'off' } },
  ...zone({ zone: 'src/domain', packages: ['zod(/.*)?'], allowOut: [], message: MSG.domain }),
  ...zone({ zone: 'src/ports', packages: [], allowOut: ['src/domain', 'src/ports'], message: MSG.ports }),
  ...zone({ zone: 'machines', packages: ['xstate', 'xstate/graph'], allowOut: ['src/domain'], message: MSG.machines }),

  // Adapters: not each other, not src/app, no concrete implementations. Files directly in
  // adapters/ belong to no adapter and get the last two rules only. adapters/shared/ is no
  // adapter either: the code the adapters' transports have in common (timers, log type), which
  // every adapter may import; it is checked as an adapter, so it imports none.
  ...zone({
    zone: 'adapters',
    depths: 1,
    denyOut: [{ targets: [{ dir: 'src/app' }], message: MSG.app }, noImpls],
  }),
  ...zone({
    zone: 'adapters/*',
    extra: [{ regex: '^adapters/(?!shared(/|$))', message: MSG.sibling }],
    denyOut: [
      { targets: [{ dir: 'adapters', except: 'shared' }], message: MSG.sibling },
      { targets: [{ dir: 'src/app' }], message: MSG.app },
      noImpls,
    ],
  }),

  // Syntax rules: each file gets at most one `no-restricted-syntax` entry, so zones stay disjoint.
  {
    name: 'boundaries/machines/syntax',
    files: [`machines/**/*.${EXTS}`],
    rules: { 'no-restricted-syntax': ['error', ...clockSyntax, noDynamicImport] },
  },
  {
    name: 'boundaries/src/runtime/syntax',
    files: [`src/runtime/**/*.${EXTS}`],
    rules: { 'no-restricted-syntax': ['error', ...clockSyntax] },
  },
  {
    name: 'boundaries/src/domain/syntax',
    files: [`src/domain/**/*.${EXTS}`],
    rules: { 'no-restricted-syntax': ['error', noDynamicImport] },
  },
  {
    name: 'boundaries/src/ports/syntax',
    files: [`src/ports/**/*.${EXTS}`],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[importKind='value']", message: `${MSG.ports} Use \`import type\`.` },
        {
          selector: "ExportNamedDeclaration[source][exportKind='value']",
          message: `${MSG.ports} Use \`export type\`.`,
        },
        { selector: "ExportAllDeclaration[exportKind='value']", message: `${MSG.ports} Use \`export type\`.` },
        noDynamicImport,
      ],
    },
  },
]);
