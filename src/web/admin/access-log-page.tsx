/** System › Access log: read, verify and export. */
import { useConsole } from '../context.ts';

export function AccessLogPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.accessLog')}</h1>
    </section>
  );
}
