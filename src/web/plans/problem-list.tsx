/**
 * The validator's verdict beside the editor: checking, valid, or each problem with its line as
 * a button that puts the cursor on that line (the same problems are marked in the editor).
 */
import { useConsole } from '../context.ts';
import type { CheckState } from './use-plan-check.ts';

export function ProblemList({
  check,
  changed,
  onGoto,
}: {
  check: CheckState;
  /** Whether the text differs from the version it started from. */
  changed: boolean;
  onGoto: (line: number) => void;
}) {
  const { t } = useConsole();
  const problems = check.status === 'invalid' || check.status === 'syntax' ? check.problems : [];
  return (
    <section class="plan-problems card" aria-labelledby="plan-problems-title" data-testid="plan-problems">
      <h2 id="plan-problems-title">{t('plans.problems.title')}</h2>
      <p role="status" data-testid="plan-check" data-status={check.status}>
        {check.status === 'checking' && <span class="muted">{t('plans.problems.checking')}</span>}
        {check.status === 'valid' && (
          <span class="ok">{changed ? t('plans.problems.valid') : t('plans.problems.unchanged')}</span>
        )}
        {check.status === 'failed' && <span class="error">{t('common.error', { detail: check.detail })}</span>}
        {problems.length > 0 && <span class="error">{t('plans.problems.count', { n: problems.length })}</span>}
      </p>
      {problems.length > 0 && (
        <ol class="problem-list">
          {problems.map((p, i) => (
            <li key={`${p.from}-${i}`} data-testid="plan-problem" data-line={p.line}>
              <button type="button" class="link-button" onClick={() => onGoto(p.line)}>
                {t('plans.problems.line', { line: p.line })}
              </button>{' '}
              <span>{p.reason}</span> {p.pointer && <code class="muted">{p.pointer}</code>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
