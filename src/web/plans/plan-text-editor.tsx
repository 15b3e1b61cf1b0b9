/**
 * The plan's text field: loads CodeMirror on first render (plan-codemirror.ts, a chunk of its
 * own), shows `problems` as diagnostics, and reports every change. A new `initial` text (another
 * version loaded) replaces the document; the owner keeps the handle to jump to a line.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import type { Schema } from './plan-completion.ts';
import type { PlanEditorHandle } from './plan-codemirror.ts';
import type { LocatedProblem } from './plan-source.ts';

export interface PlanTextEditorProps {
  /** The text to start from; a new value (another version loaded) replaces the document. */
  readonly initial: string;
  readonly label: string;
  readonly schema: Schema | undefined;
  readonly problems: readonly LocatedProblem[];
  readonly onChange: (text: string) => void;
  readonly handle: RefObject<PlanEditorHandle | undefined>;
}

export function PlanTextEditor({ initial, label, schema, problems, onChange, handle }: PlanTextEditorProps) {
  const { t } = useConsole();
  const host = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<string | undefined>();
  const schemaRef = useRef(schema);
  schemaRef.current = schema;
  const changeRef = useRef(onChange);
  changeRef.current = onChange;

  useEffect(() => {
    let live = true;
    import('./plan-codemirror.ts')
      .then((m) => {
        if (!live || !host.current) return;
        handle.current = m.mountPlanEditor(host.current, {
          text: initial,
          label,
          schema: () => schemaRef.current,
          onChange: (text) => changeRef.current(text),
        });
        setReady(true);
      })
      .catch((err: unknown) => setFailed(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
      handle.current?.destroy();
      handle.current = undefined;
    };
    // Mounted once; a new `initial` is applied by the next effect.
  }, []);

  useEffect(() => {
    const h = handle.current;
    if (ready && h && h.text() !== initial) h.setText(initial);
  }, [initial, ready, handle]);

  useEffect(() => {
    if (!ready) return;
    handle.current?.setProblems(
      problems.map((p) => ({ from: p.from, to: p.to, message: p.reason, severity: 'error' as const })),
    );
  }, [problems, ready, handle]);

  return (
    <div class="plan-text" data-testid="plan-editor" data-ready={ready}>
      {!ready && !failed && <p class="muted">{t('plans.editor.loading')}</p>}
      {failed && (
        <p class="error" role="alert">
          {t('common.error', { detail: failed })}
        </p>
      )}
      <div ref={host} class="plan-text-host" />
    </div>
  );
}
