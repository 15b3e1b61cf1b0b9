/** Operation › Contacts: the people and numbers outside Tocsin's users that alarms can reach. */
import { useConsole } from '../context.ts';

export function ContactsPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.contacts')}</h1>
    </section>
  );
}
