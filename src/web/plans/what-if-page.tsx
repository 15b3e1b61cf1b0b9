/** What-if: replay recorded alarms against another plan version and show what would have differed. */
import { useConsole } from '../context.ts';

export function WhatIfPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.whatIf')}</h1>
    </section>
  );
}
