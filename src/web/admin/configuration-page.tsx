/**
 * Administration › Configuration (`administration.configuration.edit`): one tab per kind —
 * environments, alarm types, notification profiles, notification groups, contacts, web alarm
 * templates — each a filtered list in pages of 25 with create, edit and delete (config-form.tsx,
 * version-checked with If-Match). Alarm types whose plan cannot run are listed on their tab
 * (GET /api/v1/config/problems). For presence-tracked groups, holders of `operation.presence`
 * see who is logged in and log members in or out.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { SearchField } from '../list-controls.tsx';
import { matchesQuery, messageOf, pageOf } from './admin-model.ts';
import { Empty, Outcome, Pager } from './admin-ui.tsx';
import { CONFIG_KINDS, KIND_SEGMENT, type ConfigItem, type ConfigKind } from './config-fields.ts';
import { ConfigForm } from './config-form.tsx';
import { PresencePanel } from './presence-panel.tsx';

type Lists = Readonly<Partial<Record<ConfigKind, readonly ConfigItem[]>>>;

interface PlanProblem {
  readonly alarmType: string;
  readonly plan: string;
  readonly reasons: readonly string[];
}

type Editing = { kind: ConfigKind; item: ConfigItem | undefined } | undefined;

/** A delete's warning (an alarm type whose plan cannot run any more) as one line. */
const warningText = (w: unknown): string => {
  const p = w as Partial<PlanProblem> | null;
  return p && typeof p === 'object' && typeof p.alarmType === 'string'
    ? `${p.alarmType} (${p.plan ?? ''}): ${(p.reasons ?? []).join('; ')}`
    : typeof w === 'string'
      ? w
      : JSON.stringify(w);
};

export function ConfigurationPage({ me }: { me: Me }) {
  const { t } = useConsole();
  const [kind, setKind] = useState<ConfigKind>('environment');
  const [lists, setLists] = useState<Lists>({});
  const [problems, setProblems] = useState<readonly PlanProblem[]>([]);
  const [editing, setEditing] = useState<Editing>();
  const [presence, setPresence] = useState<ConfigItem | undefined>();
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const mayPresence = me.permissions.includes('operation.presence');

  const fail = useCallback((err: unknown) => setError(t('common.error', { detail: messageOf(err) })), [t]);
  const load = useCallback(async () => {
    try {
      const answers = await Promise.all(
        CONFIG_KINDS.map((k) => api.get<{ items: ConfigItem[] }>(`/api/v1/config/${KIND_SEGMENT[k]}`)),
      );
      setLists(Object.fromEntries(CONFIG_KINDS.map((k, i) => [k, answers[i]!.items])));
      setProblems((await api.get<{ alarmTypes: PlanProblem[] }>('/api/v1/config/problems')).alarmTypes);
    } catch (err) {
      fail(err);
    }
  }, [fail]);
  useEffect(() => void load(), [load]);

  const list = lists[kind];
  const shown = (list ?? []).filter((i) => matchesQuery(query, [i.id, i.name, i.environment]));
  const current = pageOf(shown, page);
  const kindName = t(`admin.config.one.${kind}`);
  const kindsName = t(`admin.config.kind.${kind}`);
  const suggestions = Object.fromEntries(CONFIG_KINDS.map((k) => [k, (lists[k] ?? []).map((i) => i.id)])) as Record<
    ConfigKind,
    string[]
  >;

  const choose = (k: ConfigKind) => {
    setKind(k);
    setQuery('');
    setPage(0);
    setEditing(undefined);
    setPresence(undefined);
    setDone(undefined);
    setError(undefined);
  };
  /** Arrow keys move between the tabs (the tab pattern of WAI-ARIA). */
  const onTabKey = (e: KeyboardEvent) => {
    const i = CONFIG_KINDS.indexOf(kind);
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % CONFIG_KINDS.length
        : e.key === 'ArrowLeft'
          ? (i + CONFIG_KINDS.length - 1) % CONFIG_KINDS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? CONFIG_KINDS.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    choose(CONFIG_KINDS[to]!);
    document.getElementById(`tab-${CONFIG_KINDS[to]}`)?.focus();
  };

  const open = async (item: ConfigItem) => {
    setDone(undefined);
    setError(undefined);
    try {
      // Read afresh: the form saves against the version it shows.
      const fresh = await api.get<ConfigItem>(`/api/v1/config/${KIND_SEGMENT[kind]}/${encodeURIComponent(item.id)}`);
      setPresence(undefined);
      setEditing({ kind, item: fresh });
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section class="admin" aria-labelledby="config-title">
      <h1 id="config-title">{t('admin.config.title')}</h1>
      <div class="admin-tabs" role="tablist" aria-label={t('admin.config.kinds')} onKeyDown={onTabKey}>
        {CONFIG_KINDS.map((k) => (
          <button
            key={k}
            id={`tab-${k}`}
            type="button"
            role="tab"
            aria-selected={k === kind}
            aria-controls="config-panel"
            tabIndex={k === kind ? 0 : -1}
            onClick={() => choose(k)}
          >
            {t(`admin.config.kind.${k}`)}
            <span class="muted"> ({lists[k]?.length ?? '…'})</span>
          </button>
        ))}
      </div>
      <div id="config-panel" role="tabpanel" aria-labelledby={`tab-${kind}`}>
        <div class="admin-toolbar">
          <SearchField
            label={t('admin.filter')}
            name="query"
            value={query}
            onSearch={(v) => {
              setQuery(v);
              setPage(0);
            }}
          />
          <button
            type="button"
            class="primary"
            onClick={() => {
              setPresence(undefined);
              setEditing({ kind, item: undefined });
              setDone(undefined);
            }}
          >
            {t('admin.config.new', { kind: kindName })}
          </button>
        </div>
        <Outcome error={error} done={done} />
        {kind === 'alarmType' && problems.length > 0 && (
          <section class="warning" data-testid="config-problems">
            <h2>{t('admin.config.problemsTitle')}</h2>
            <ul>
              {problems.map((p) => (
                <li key={p.alarmType}>{warningText(p)}</li>
              ))}
            </ul>
          </section>
        )}

        {editing?.kind === kind && (
          <ConfigForm
            key={`${kind}:${editing.item?.id ?? ''}:${editing.item?.version ?? 0}`}
            kind={kind}
            item={editing.item}
            suggestions={suggestions}
            onCancel={() => setEditing(undefined)}
            onReload={() => editing.item && void open(editing.item)}
            onSaved={(item, created) => {
              setEditing({ kind, item });
              setDone(t(created ? 'admin.config.created' : 'admin.config.saved', { kind: kindName, name: item.name }));
              void load();
            }}
            onDeleted={(item, warnings) => {
              setEditing(undefined);
              setDone(
                [t('admin.config.deleted', { kind: kindName, name: item.name }), ...warnings.map(warningText)].join(
                  ' · ',
                ),
              );
              void load();
            }}
          />
        )}
        {presence && kind === 'group' && (
          <PresencePanel group={presence} onClose={() => setPresence(undefined)} onError={fail} />
        )}

        {!list && !error && <p>{t('common.loading')}</p>}
        {list && shown.length === 0 && (
          <Empty title={t('admin.config.emptyTitle', { kinds: kindsName })}>
            {query.trim() !== '' ? t('admin.emptyFiltered') : t('admin.config.emptyBody', { kind: kindName })}
          </Empty>
        )}
        {list && shown.length > 0 && (
          <div class="table-scroll">
            <table class="list" data-testid="config-table">
              <caption class="muted">{t('admin.count', { n: shown.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.config.field.id')}</th>
                  <th scope="col">{t('admin.config.field.name')}</th>
                  {kind !== 'environment' && <th scope="col">{t('admin.config.field.environment')}</th>}
                  <th scope="col">{t('admin.config.versionCol')}</th>
                  <th scope="col">{t('admin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {current.items.map((i) => (
                  <tr key={i.id} data-testid="config-row" data-id={i.id}>
                    <td>{i.id}</td>
                    <td>{i.name}</td>
                    {kind !== 'environment' && <td>{i.environment ?? '—'}</td>}
                    <td>{i.version}</td>
                    <td class="row-actions">
                      <button
                        type="button"
                        aria-label={t('admin.editNamed', { name: i.name })}
                        onClick={() => void open(i)}
                      >
                        {t('admin.edit')}
                      </button>
                      {kind === 'group' && i.presence === true && mayPresence && (
                        <button
                          type="button"
                          aria-label={t('admin.config.presenceOf', { name: i.name })}
                          onClick={() => {
                            setEditing(undefined);
                            setPresence(i);
                          }}
                        >
                          {t('admin.config.presence')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={current} onPage={setPage} />
      </div>
    </section>
  );
}
