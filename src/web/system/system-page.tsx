/** System: interface status, monitor, restart. */
import { useConsole } from '../context.ts';

export function SystemPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.system')}</h1>
    </section>
  );
}
