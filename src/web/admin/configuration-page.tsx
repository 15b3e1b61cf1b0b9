/** Administration › Configuration: environments, alarm types, profiles, groups, contacts, web templates. */
import { useConsole } from '../context.ts';

export function ConfigurationPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.configuration')}</h1>
    </section>
  );
}
