/**
 * `tocsin plan validate|analyse|simulate`: the plan tools without a server. Reads JSON files,
 * prints JSON to stdout. Exit codes: 0 valid (or done), 1 the plan is invalid, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { TocsinError } from '../domain/errors.ts';
import { PlanTools } from '../runtime/plan-tools.ts';
import type { Config } from './config.ts';
import { PLAN_HELP } from './plan-help.ts';
import { directoryFrom } from './tocsin.ts';

export async function planCommand(args: readonly string[], type: string | undefined, config: Config): Promise<number> {
  const [sub, file, scenarioFile] = args;
  const needs = sub === 'simulate' ? 2 : 1;
  if (!sub || !['validate', 'analyse', 'simulate'].includes(sub) || args.length !== needs + 1) {
    process.stderr.write(`${PLAN_HELP}\n`);
    return 2;
  }
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
  try {
    const out =
      sub === 'validate'
        ? summary(tools.validate(plan))
        : sub === 'analyse'
          ? tools.analyse(plan, type)
          : tools.simulate(plan, scenario, type);
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

/** The verdict without echoing the plan back. */
function summary(check: ReturnType<PlanTools['validate']>) {
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
