/** Operation › Phones: each handset's state, charger, battery and last location; locating alert. */
import { useConsole } from '../context.ts';

export function PhonesPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.phones')}</h1>
    </section>
  );
}
