/**
 * `tocsin plan validate|analyse|simulate`: the plan tools without a server; `publish` and
 * `export`: plan versions in the configured store. Reads JSON files, prints JSON to stdout.
 * Exit codes: 0 valid (or done), 1 the plan is invalid (or the version does not exist), 2 usage.
 */
import { readFileSync } from 'node:fs';
import { TocsinError } from '../domain/errors.ts';
import { PlanTools, type PlanCheck } from '../runtime/plan-tools.ts';
import type { Config } from './config.ts';
import { PLAN_HELP } from './plan-help.ts';
import { directoryFrom } from './config-seed.ts';

export async function planCommand(args: readonly string[], type: string | undefined, config: Config): Promise<number> {
  const [sub, file, scenarioFile] = args;
  const needs = sub === 'simulate' ? 2 : 1;
  if (!sub || !['validate', 'analyse', 'simulate', 'publish', 'export'].includes(sub) || args.length !== needs + 1) {
    process.stderr.write(`${PLAN_HELP}\n`);
    return 2;
  }
  if (sub === 'export') return exportVersion(file!, config);
  const tools = new PlanTools(directoryFrom(config));
  let plan: unknown;
  let scenario: unknown;
  try {
    plan = readJson(file!);
    if (scenarioFile) scenario = readJson(scenarioFile);
  } catch (err) {
    process.stderr.write(`tocsin plan: ${(err as Error).message}\n`);
    return 2;
  }
  if (sub === 'publish') return publish(tools, plan, config);
  try {
    const out =
      sub === 'validate'
        ? summary(await tools.validate(plan))
        : sub === 'analyse'
          ? await tools.analyse(plan, type)
          : await tools.simulate(plan, scenario, type);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return sub === 'validate' && !(out as { ok: boolean }).ok ? 1 : 0;
  } catch (err) {
    if (err instanceof TocsinError) {
      process.stdout.write(
        `${JSON.stringify({ ok: false, error: err.message, problems: err.details ?? [] }, null, 2)}\n`,
      );
      return err.code === 'unknown-alarm-type' ? 2 : 1;
    }
    throw err;
  }
}

/** Validates, then publishes the next version of the plan's id; prints `{id, version}`. Nothing is written for an invalid plan. */
async function publish(tools: PlanTools, plan: unknown, config: Config): Promise<number> {
  const check = await tools.validate(plan);
  if (!check.ok) {
    process.stdout.write(`${JSON.stringify(summary(check), null, 2)}\n`);
    return 1;
  }
  const { withStore } = await import('./migrate.ts');
  const id = check.plan.id;
  const version = await withStore(config, (store) => store.publishPlan(id, check.plan, Date.now(), 'cli'));
  process.stdout.write(`${JSON.stringify({ id, version }, null, 2)}\n`);
  return 0;
}

/** Prints version `ID@VERSION` with its metadata, as GET /api/v1/plans/{id}/versions/{version} does. */
async function exportVersion(spec: string, config: Config): Promise<number> {
  const m = /^([A-Za-z0-9_-]{1,64})@([1-9][0-9]{0,8})$/.exec(spec);
  if (!m) {
    process.stderr.write(`tocsin plan export: expected ID@VERSION, e.g. escalate@1, not '${spec}'\n`);
    return 2;
  }
  const ref = { id: m[1]!, version: Number(m[2]) };
  const { withStore } = await import('./migrate.ts');
  const info = await withStore(config, (store) => store.getPlanInfo(ref));
  if (!info) {
    process.stderr.write(`tocsin plan export: plan ${ref.id}@${ref.version} does not exist\n`);
    return 1;
  }
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const out = { ...info, publishedAt: iso(info.publishedAt), disabledAt: iso(info.disabledAt) };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

/** The verdict without echoing the plan back. */
function summary(check: PlanCheck) {
  return check.ok
    ? { ok: true, warnings: check.warnings }
    : { ok: false, problems: check.problems, warnings: check.warnings };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not JSON: ${(err as Error).message}`);
  }
}
