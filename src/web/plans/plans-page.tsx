/** Administration › Escalation plans: each plan with its versions. */
import { useConsole } from '../context.ts';

export function PlansPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.plans')}</h1>
    </section>
  );
}
