/** Administration › User groups: the permission tree of each group. */
import { useConsole } from '../context.ts';

export function UserGroupsPage() {
  const { t } = useConsole();
  return (
    <section>
      <h1>{t('nav.userGroups')}</h1>
    </section>
  );
}
