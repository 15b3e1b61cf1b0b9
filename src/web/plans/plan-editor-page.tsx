/** Administration › Escalation plans › one plan: the editor. */
import { useConsole } from '../context.ts';

export function PlanEditorPage({ planId }: { planId: string }) {
  const { t } = useConsole();
  return (
    <section>
      <h1>
        {t('nav.plans')} · {planId}
      </h1>
    </section>
  );
}
