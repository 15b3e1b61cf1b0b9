/**
 * The import boundaries of DESIGN.md, as enforced by eslint.config.js: each rule must be able to
 * fail. Lints synthetic sources at made-up paths (the files need not exist) through ESLint's Node
 * API with the project's own config, so a change to the config that silently disables a rule
 * fails here.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'eslint.config.js') });

/** A module that imports `spec` and uses the binding, so no other rule fires. */
const imp = (spec: string) => `import * as m from '${spec}';\nexport { m };\n`;
const impType = (spec: string) => `import type * as m from '${spec}';\nexport type { m };\n`;

interface Case {
  readonly file: string;
  readonly code: string;
  /** The error expected (rule id and a piece of its message), or `undefined`: no error at all. */
  readonly error?: { readonly rule: 'no-restricted-imports' | 'no-restricted-syntax'; readonly says: RegExp };
}

const imports = (says: RegExp) => ({ rule: 'no-restricted-imports', says }) as const;
const syntax = (says: RegExp) => ({ rule: 'no-restricted-syntax', says }) as const;
const PURE = /machines\/ is pure/;
const IMPL = /runtime code depends on ports/;
const TIME = /time is an input: use the Clock port/;

const cases: readonly Case[] = [
  // machines/: a database driver is IO.
  { file: 'machines/x.ts', code: imp('pg'), error: imports(PURE) },
  // machines/: xstate is the one runtime dependency.
  { file: 'machines/x.ts', code: imp('xstate') },
  // machines/: the graph helpers for plan analysis.
  { file: 'machines/x.ts', code: imp('xstate/graph') },
  // machines/: node: builtins are IO.
  { file: 'machines/x.ts', code: imp('node:fs'), error: imports(PURE) },
  // machines/: a builtin without the node: prefix is caught too (allow-list, not deny-list).
  { file: 'machines/x.ts', code: imp('fs'), error: imports(PURE) },
  // machines/: a scoped IO package.
  { file: 'machines/x.ts', code: imp('@koa/router'), error: imports(PURE) },
  // machines/: a package not on the allow-list, however pure (add it in eslint.config.js on purpose).
  { file: 'machines/x.ts', code: imp('zod'), error: imports(PURE) },
  // machines/: the domain types are allowed.
  { file: 'machines/x.ts', code: impType('../src/domain/alarm.ts') },
  // machines/: from a subfolder, the domain is two levels up.
  { file: 'machines/templates/x.ts', code: imp('../../src/domain/errors.ts') },
  // machines/: a sibling file inside machines/ from a subfolder.
  { file: 'machines/templates/x.ts', code: imp('../plan-schema.ts') },
  // machines/: from a subfolder one `../` stays inside machines/ (this is machines/src/store/...): allowed.
  { file: 'machines/templates/x.ts', code: imp('../src/store/pg-store.ts') },
  // machines/: any other part of src/.
  { file: 'machines/x.ts', code: imp('../src/runtime/mailbox.ts'), error: imports(PURE) },
  // machines/: a ports file is not the domain.
  { file: 'machines/templates/x.ts', code: imp('../../src/ports/clock.ts'), error: imports(PURE) },
  // machines/: a detour through src/domain/.. is refused rather than misread.
  { file: 'machines/x.ts', code: imp('../src/domain/../store/pg-store.ts'), error: imports(/without `.` or `..`/) },
  // machines/: re-exports are imports too.
  { file: 'machines/x.ts', code: `export * from 'ioredis';\n`, error: imports(PURE) },
  // machines/: a dynamic import would dodge no-restricted-imports.
  { file: 'machines/x.ts', code: `export const load = () => import('pg');\n`, error: syntax(/dynamic import/) },
  // machines/: reading the wall clock.
  { file: 'machines/x.ts', code: `export const t = Date.now();\n`, error: syntax(TIME) },
  // machines/: `new Date()` with no argument reads the wall clock too.
  { file: 'machines/x.ts', code: `export const t = new Date();\n`, error: syntax(TIME) },
  // machines/: a Date from a given instant is fine.
  { file: 'machines/x.ts', code: `export const t = (at: number) => new Date(at).toISOString();\n` },
  // machines/: a folder deeper than the generated rules still cannot leave.
  { file: 'machines/a/b/c/d/e/f/g/x.ts', code: imp('../y.ts'), error: imports(/nested deeper/) },
  // src/runtime/: runtime decisions take time from the Clock port.
  { file: 'src/runtime/x.ts', code: `export const t = Date.now();\n`, error: syntax(TIME) },
  // src/http/: the clock rule covers machines/ and src/runtime/ only.
  { file: 'src/http/x.ts', code: `export const t = Date.now();\n` },
  // src/domain/: zod is its one package.
  { file: 'src/domain/x.ts', code: imp('zod') },
  // src/domain/: no IO.
  { file: 'src/domain/x.ts', code: imp('node:crypto'), error: imports(/src\/domain\/ imports nothing/) },
  // src/domain/: nothing outside itself, not even the ports.
  { file: 'src/domain/x.ts', code: impType('../ports/clock.ts'), error: imports(/src\/domain\/ imports nothing/) },
  // src/domain/: its own files.
  { file: 'src/domain/x.ts', code: impType('./alarm.ts') },
  // src/ports/: types from the domain.
  { file: 'src/ports/x.ts', code: impType('../domain/alarm.ts') },
  // src/ports/: types from another port.
  { file: 'src/ports/x.ts', code: impType('./clock.ts') },
  // src/ports/: a value import is not type-only.
  { file: 'src/ports/x.ts', code: imp('../domain/alarm.ts'), error: syntax(/import type/) },
  // src/ports/: the runtime is not a port.
  { file: 'src/ports/x.ts', code: impType('../runtime/mailbox.ts'), error: imports(/src\/ports\/ holds interfaces/) },
  // src/ports/: a port never names a third-party client.
  { file: 'src/ports/x.ts', code: impType('ioredis'), error: imports(/src\/ports\/ holds interfaces/) },
  // adapters/: a sibling adapter.
  { file: 'adapters/espa/espa-adapter.ts', code: imp('../dect/dect-codec.ts'), error: imports(/another adapter/) },
  // adapters/: a sibling adapter from a subfolder.
  { file: 'adapters/espa/x/y.ts', code: imp('../../dect/dect-codec.ts'), error: imports(/another adapter/) },
  // adapters/: a sibling adapter by a bare adapters/ path.
  { file: 'adapters/espa/x.ts', code: imp('adapters/dect/dect-codec.ts'), error: imports(/another adapter/) },
  // adapters/: the code the adapters share.
  { file: 'adapters/espa/espa-transport.ts', code: imp('../shared/timer-slots.ts') },
  // adapters/: the shared code from a subfolder, and by a bare adapters/ path.
  { file: 'adapters/espa/x/y.ts', code: imp('../../shared/timer-slots.ts') },
  { file: 'adapters/espa/x.ts', code: imp('adapters/shared/timer-slots.ts') },
  // adapters/shared/: no adapter of its own.
  { file: 'adapters/shared/timer-slots.ts', code: imp('../dect/dect-codec.ts'), error: imports(/another adapter/) },
  // adapters/shared/: not the composition root either.
  { file: 'adapters/shared/x.ts', code: imp('../../src/app/config.ts'), error: imports(/src\/app\//) },
  // adapters/: its own files.
  { file: 'adapters/espa/espa-adapter.ts', code: imp('./espa-codec.ts') },
  // adapters/: its own files from a subfolder.
  { file: 'adapters/espa/x/y.ts', code: imp('../espa-codec.ts') },
  // adapters/: the ports it implements.
  { file: 'adapters/espa/espa-adapter.ts', code: impType('../../src/ports/clock.ts') },
  // adapters/: the composition root.
  { file: 'adapters/espa/espa-adapter.ts', code: imp('../../src/app/config.ts'), error: imports(/src\/app\//) },
  // adapters/: a concrete store.
  { file: 'adapters/espa/espa-adapter.ts', code: imp('../../src/store/pg-store.ts'), error: imports(IMPL) },
  // src/runtime/: a concrete store.
  { file: 'src/runtime/x.ts', code: imp('../store/pg-store.ts'), error: imports(IMPL) },
  // src/runtime/: a concrete dialect, from a subfolder.
  { file: 'src/runtime/a/x.ts', code: imp('../../store/pglite-dialect.ts'), error: imports(IMPL) },
  // src/runtime/: a port whose file name ends in -store is not an implementation.
  { file: 'src/runtime/x.ts', code: impType('../ports/alarm-store.ts') },
  // src/http/: a concrete scheduler.
  { file: 'src/http/x.ts', code: imp('../scheduler/bullmq-scheduler.ts'), error: imports(IMPL) },
  // src/runtime/: the system clock is a concrete Clock; runtime code takes the port.
  { file: 'src/runtime/x.ts', code: imp('../scheduler/system-clock.ts'), error: imports(IMPL) },
  // src/scheduler/: a scheduler implementation may build on the clock next to it.
  { file: 'src/scheduler/bullmq-scheduler.ts', code: imp('./system-clock.ts') },
  // src/notify/: the pipeline must not build a concrete notifier next to it.
  { file: 'src/notify/pipeline.ts', code: imp('./sip-notifier.ts'), error: imports(IMPL) },
  // src/store/: a migration runner must not pick a store.
  { file: 'src/store/migrate.ts', code: imp('./pg-store.ts'), error: imports(IMPL) },
  // src/store/: an implementation builds on its own dialect.
  { file: 'src/store/pglite-store.ts', code: imp('./pglite-dialect.ts') },
  // src/store/: but not on another family's implementation.
  { file: 'src/store/pg-store.ts', code: imp('../scheduler/bullmq-scheduler.ts'), error: imports(IMPL) },
  // src/app/: the composition root builds concrete objects.
  { file: 'src/app/x.ts', code: imp('../store/pg-store.ts') },
  // test/: tests build concrete objects.
  { file: 'test/integration/x.test.ts', code: imp('../../src/store/pg-store.ts') },
  // bench/: benchmarks build concrete objects.
  { file: 'bench/x.ts', code: imp('../src/scheduler/bullmq-scheduler.ts') },
];

describe('import boundaries (eslint.config.js)', () => {
  for (const c of cases) {
    const spec = /from '([^']+)'|import\('([^']+)'\)/.exec(c.code);
    const what = spec ? (spec[1] ?? spec[2]) : c.code.trim();
    it(`${c.file}: ${what} → ${c.error ? `${c.error.rule}` : 'ok'}`, async () => {
      const [result] = await eslint.lintText(c.code, { filePath: path.join(root, c.file) });
      assert.ok(result);
      const errors = result.messages.filter((m) => m.severity === 2);
      const shown = errors.map((m) => `${m.ruleId}: ${m.message}`).join('\n');
      if (c.error === undefined) {
        assert.equal(errors.length, 0, `expected no error, got:\n${shown}`);
      } else {
        const { rule, says } = c.error;
        assert.ok(
          errors.some((m) => m.ruleId === rule && says.test(m.message)),
          `expected ${rule} saying ${says}, got:\n${shown || '(no error)'}`,
        );
      }
    });
  }
});
