/** Administration › Supervision alarms: which alarm type each supervised interface raises. */
import { useConsole } from '../context.ts';

export function SupervisionPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.supervision')}</h1>
    </section>
  );
}
