/**
 * Who of a presence-tracked notification group is logged in (GET
 * /api/v1/config/groups/{id}/presence), with a button per member to log them in or out (PUT /
 * DELETE …/presence/{member}; needs `operation.presence`).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import { memberAddress, type ConfigItem } from './config-fields.ts';

export function PresencePanel(props: { group: ConfigItem; onClose: () => void; onError: (err: unknown) => void }) {
  const { t } = useConsole();
  const { group, onError } = props;
  const [present, setPresent] = useState<ReadonlySet<string> | undefined>();
  const base = `/api/v1/config/groups/${encodeURIComponent(group.id)}/presence`;

  const load = useCallback(async () => {
    try {
      setPresent(new Set((await api.get<{ present: string[] }>(base)).present));
    } catch (err) {
      onError(err);
    }
  }, [base, onError]);
  useEffect(() => void load(), [load]);

  const members = group.members ?? [];
  return (
    <section class="admin-form" aria-labelledby="presence-title" data-testid="presence-panel">
      <h2 id="presence-title">{t('admin.config.presenceOf', { name: group.name })}</h2>
      {members.length === 0 && <p class="muted">{t('admin.config.noMembers')}</p>}
      {present && members.length > 0 && (
        <table class="list">
          <tbody>
            {members.map((m) => {
              const address = memberAddress(m);
              const here = present.has(address);
              return (
                <tr key={address}>
                  <td>{address}</td>
                  <td>{here ? t('admin.config.present') : t('admin.config.absent')}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`${here ? t('admin.config.logOut') : t('admin.config.logIn')}: ${address}`}
                      onClick={async () => {
                        try {
                          const url = `${base}/${encodeURIComponent(address)}`;
                          if (here) await api.delete(url);
                          else await api.put(url, {});
                          await load();
                        } catch (err) {
                          onError(err);
                        }
                      }}
                    >
                      {here ? t('admin.config.logOut') : t('admin.config.logIn')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" onClick={props.onClose}>
        {t('admin.close')}
      </button>
    </section>
  );
}
