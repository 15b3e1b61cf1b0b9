/**
 * The difference between two published versions of the plan (GET /api/v1/plans/:id/diff): each
 * change as its JSON pointer with the old and the new value. Defaults to the newest version
 * against the one before it (the owner remounts it, by key, when a version is published).
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import type { PlanDiff, PlanSummary } from './plan-api.ts';
import { formatValue } from './plan-format.ts';

export function DiffPanel({ planId, summary }: { planId: string; summary: PlanSummary | null }) {
  const { t } = useConsole();
  const versions = (summary?.versions ?? []).map((v) => v.version).sort((a, b) => b - a);
  const [from, setFrom] = useState<number | undefined>(versions[1]);
  const [to, setTo] = useState<number | undefined>(versions[0]);
  const [diff, setDiff] = useState<PlanDiff | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [running, setRunning] = useState(false);

  if (versions.length < 2)
    return (
      <div class="plan-tool notice" data-testid="plan-diff">
        <p>{t('plans.diff.needTwo')}</p>
      </div>
    );

  async function compare() {
    if (from === undefined || to === undefined) return;
    setRunning(true);
    setError(undefined);
    try {
      setDiff(await api.get<PlanDiff>(`/api/v1/plans/${encodeURIComponent(planId)}/diff?from=${from}&to=${to}`));
    } catch (err) {
      setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) }));
    } finally {
      setRunning(false);
    }
  }

  const select = (label: string, value: number | undefined, set: (v: number) => void) => (
    <label>
      {label}
      <select value={String(value ?? '')} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
        {versions.map((v) => (
          <option key={v} value={String(v)}>
            {t('plans.version', { version: v })}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="plan-tool" data-testid="plan-diff">
      <form
        class="tool-form"
        onSubmit={(e) => {
          e.preventDefault();
          void compare();
        }}
      >
        {select(t('plans.diff.from'), from, setFrom)}
        {select(t('plans.diff.to'), to, setTo)}
        <button type="submit" class="primary" disabled={running}>
          {t('plans.diff.run')}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {diff && diff.changes.length === 0 && <p class="muted">{t('plans.diff.same')}</p>}
      {diff && diff.changes.length > 0 && (
        <table class="list diff-table" data-testid="diff-table">
          <caption class="muted">
            {t('plans.diff.caption', { n: diff.changes.length, from: diff.from, to: diff.to })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('plans.diff.col.where')}</th>
              <th scope="col">{t('plans.diff.col.before')}</th>
              <th scope="col">{t('plans.diff.col.after')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.changes.map((c) => (
              <tr key={`${c.op}${c.pointer}`} class={`op-${c.op}`} data-testid="diff-change">
                <td>
                  <code>{c.pointer || '/'}</code> <span class="muted">{t(`plans.diff.op.${c.op}`)}</span>
                </td>
                <td>
                  <code>{c.op === 'add' ? '—' : formatValue(c.from)}</code>
                </td>
                <td>
                  <code>{c.op === 'remove' ? '—' : formatValue(c.to)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
