/**
 * The editor's running check of its text: parsed at once (the diagram follows every parse),
 * validated by the server after a pause in typing (POST /api/v1/plans/validate), each problem
 * placed at its line. A syntax error is a problem of its own, found without the server. An
 * answer for an older text is dropped.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { postPlan } from './plan-api.ts';
import { lineAt, locateProblems, parsePlanText, type LocatedProblem } from './plan-source.ts';

const VALIDATE_MS = 400;

export type CheckState =
  | { readonly status: 'checking' }
  | { readonly status: 'valid' }
  | { readonly status: 'invalid'; readonly problems: readonly LocatedProblem[] }
  | { readonly status: 'syntax'; readonly problems: readonly LocatedProblem[] }
  | { readonly status: 'failed'; readonly detail: string };

export interface PlanCheck {
  /** The text parsed, or undefined while it does not parse. */
  readonly plan: unknown;
  readonly check: CheckState;
}

/** Checks `text` (undefined: nothing loaded yet); `syntaxReason` words a JSON syntax error. */
export function usePlanCheck(text: string | undefined, syntaxReason: string): PlanCheck {
  const [plan, setPlan] = useState<unknown>(undefined);
  const [check, setCheck] = useState<CheckState>({ status: 'checking' });
  const latest = useRef<string | undefined>(undefined);

  useEffect(() => {
    latest.current = text;
    if (text === undefined) return;
    const parsed = parsePlanText(text);
    if (!parsed.ok) {
      setPlan(undefined);
      const line = lineAt(text, parsed.offset);
      const problem: LocatedProblem = {
        pointer: '',
        reason: syntaxReason,
        from: parsed.offset,
        to: Math.min(text.length, parsed.offset + 1),
        line,
      };
      setCheck({ status: 'syntax', problems: [problem] });
      return;
    }
    setPlan(parsed.value);
    setCheck({ status: 'checking' });
    const timer = setTimeout(() => {
      postPlan<{ ok: true }>('/api/v1/plans/validate', { plan: parsed.value })
        .then((r) => {
          if (latest.current !== text) return;
          setCheck(r.ok ? { status: 'valid' } : { status: 'invalid', problems: locateProblems(text, r.problems) });
        })
        .catch((err: unknown) => {
          if (latest.current === text)
            setCheck({ status: 'failed', detail: err instanceof Error ? err.message : String(err) });
        });
    }, VALIDATE_MS);
    return () => clearTimeout(timer);
  }, [text, syntaxReason]);

  return { plan, check };
}
