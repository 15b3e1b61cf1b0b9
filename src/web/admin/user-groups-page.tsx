/**
 * Administration › User groups (the User Group form of the security guidelines): the groups
 * (GET /api/v1/user-groups) with how many users each has, and a form per group: id (new groups
 * only), name, description and the permission tree; saved with PUT /api/v1/user-groups/{id},
 * deleted with DELETE (the server refuses a group that still has members). The Administrator
 * group always holds every permission: its tree is read-only and it cannot be deleted. Nobody
 * grants a permission they do not hold: those boxes cannot be ticked. A new group is saved with
 * `If-Match: "0"` (it must not exist yet), a changed or deleted one with the version it was read
 * at, so a permission set changed meanwhile by someone else is refused (412), never overwritten.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { SearchField } from '../list-controls.tsx';
import {
  formErrors,
  inTreeOrder,
  isStale,
  leavesOf,
  matchesQuery,
  messageOf,
  NO_ERRORS,
  pageOf,
  type FormErrors,
  type GroupRow,
  type PermissionNode,
  type UserRow,
} from './admin-model.ts';
import { Confirm, Empty, Field, Outcome, Pager, StaleNotice } from './admin-ui.tsx';
import { PermissionTree } from './permission-tree.tsx';

const ADMINISTRATOR = 'administrator';

export function UserGroupsPage({ me }: { me: Me }) {
  const { t } = useConsole();
  const [groups, setGroups] = useState<readonly GroupRow[] | undefined>();
  const [members, setMembers] = useState<ReadonlyMap<string, number>>(new Map());
  const [tree, setTree] = useState<readonly PermissionNode[]>([]);
  const [editing, setEditing] = useState<GroupRow | 'new' | undefined>();
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();

  const fail = useCallback((err: unknown) => setError(t('common.error', { detail: messageOf(err) })), [t]);
  const load = useCallback(async () => {
    try {
      const [g, p] = await Promise.all([
        api.get<{ groups: GroupRow[] }>('/api/v1/user-groups'),
        api.get<{ tree: PermissionNode[] }>('/api/v1/permissions'),
      ]);
      setGroups(g.groups);
      setTree(p.tree);
      // Member counts need the user list (user-administration); without it they are left out.
      if (me.permissions.includes('user-administration')) {
        const u = await api.get<{ users: UserRow[] }>('/api/v1/users');
        const counts = new Map<string, number>();
        for (const user of u.users) counts.set(user.userGroup, (counts.get(user.userGroup) ?? 0) + 1);
        setMembers(counts);
      }
    } catch (err) {
      fail(err);
    }
  }, [fail, me.permissions]);
  useEffect(() => void load(), [load]);

  const shown = (groups ?? []).filter((g) => matchesQuery(query, [g.id, g.name, g.description]));
  const current = pageOf(shown, page);
  const total = tree.flatMap(leavesOf).length;

  return (
    <section class="admin" aria-labelledby="groups-title">
      <h1 id="groups-title">{t('admin.groups.title')}</h1>
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
            setEditing('new');
            setDone(undefined);
          }}
        >
          {t('admin.groups.new')}
        </button>
      </div>
      <Outcome error={error} done={done} />

      {editing !== undefined && (
        <GroupForm
          // A new version (saved, or reloaded after someone else's change) is a new form.
          key={editing === 'new' ? 'new' : `${editing.id}@${editing.version}`}
          group={editing === 'new' ? undefined : editing}
          tree={tree}
          held={me.permissions}
          inUse={editing !== 'new' && (members.get(editing.id) ?? 0) > 0}
          onCancel={() => setEditing(undefined)}
          onReload={async (g) => {
            try {
              setEditing(await api.get<GroupRow>(`/api/v1/user-groups/${encodeURIComponent(g.id)}`));
            } catch (err) {
              setEditing(undefined);
              fail(err);
            }
            void load();
          }}
          onSaved={(g, created) => {
            setEditing(g);
            setError(undefined);
            setDone(t(created ? 'admin.groups.created' : 'admin.groups.saved', { name: g.name }));
            void load();
          }}
          onDeleted={(g) => {
            setEditing(undefined);
            setDone(t('admin.groups.deleted', { name: g.name }));
            void load();
          }}
        />
      )}

      {!groups && !error && <p>{t('common.loading')}</p>}
      {groups && shown.length === 0 && (
        <Empty title={t('admin.groups.emptyTitle')}>
          {query.trim() !== '' ? t('admin.emptyFiltered') : t('admin.groups.emptyBody')}
        </Empty>
      )}
      {groups && shown.length > 0 && (
        <div class="table-scroll">
          <table class="list" data-testid="groups-table">
            <caption class="muted">{t('admin.count', { n: shown.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.groups.name')}</th>
                <th scope="col">{t('admin.groups.description')}</th>
                <th scope="col">{t('admin.groups.permissions')}</th>
                <th scope="col">{t('admin.groups.members')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {current.items.map((g) => (
                <tr key={g.id} data-testid="group-row" data-id={g.id}>
                  <td>
                    {g.name} <span class="muted">({g.id})</span>
                  </td>
                  <td>{g.description}</td>
                  <td>{t('admin.groups.permissionCount', { n: g.permissions.length, total })}</td>
                  <td>{members.get(g.id) ?? 0}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={t('admin.editNamed', { name: g.name })}
                      onClick={() => {
                        setEditing(g);
                        setDone(undefined);
                        setError(undefined);
                      }}
                    >
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={current} onPage={setPage} />
    </section>
  );
}

function GroupForm(props: {
  group: GroupRow | undefined;
  tree: readonly PermissionNode[];
  held: readonly string[];
  inUse: boolean;
  onSaved: (g: GroupRow, created: boolean) => void;
  onDeleted: (g: GroupRow) => void;
  onCancel: () => void;
  /** Reads the group again (after a change made meanwhile by someone else). */
  onReload: (g: GroupRow) => void;
}) {
  const { t } = useConsole();
  const { group } = props;
  const isAdministrator = group?.id === ADMINISTRATOR;
  const [id, setId] = useState(group?.id ?? '');
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [selected, setSelected] = useState<Set<string>>(() => new Set(group?.permissions ?? []));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [stale, setStale] = useState(false);
  const all = props.tree.flatMap(leavesOf);
  const grantable = (p: string) => props.held.includes(p);

  async function save(e: Event) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    const body = {
      name: name.trim(),
      description: description.trim(),
      permissions: isAdministrator ? all : inTreeOrder(all, selected),
    };
    const target = id.trim();
    if (target === '') {
      setErrors({ fields: { id: t('admin.required') }, general: undefined });
      return;
    }
    try {
      // "0": a new group must not silently replace an existing one, as a plain PUT would.
      const ifMatch = { 'If-Match': `"${group?.version ?? 0}"` };
      const saved = await api.put<GroupRow>(`/api/v1/user-groups/${encodeURIComponent(target)}`, body, ifMatch);
      props.onSaved(saved, !group);
    } catch (err) {
      if (!isStale(err)) setErrors(formErrors(err));
      else if (!group) setErrors({ fields: { id: t('admin.idTaken', { id: target }) }, general: undefined });
      else setStale(true);
    }
  }

  return (
    <form class="admin-form" onSubmit={save} aria-labelledby="group-form-title" data-testid="group-form" novalidate>
      <h2 id="group-form-title">
        {group ? t('admin.groups.editTitle', { name: group.name }) : t('admin.groups.createTitle')}
      </h2>
      <div class="admin-grid">
        <Field label={t('admin.groups.id')} error={errors.fields.id} hint={group ? undefined : t('admin.idHint')}>
          {(ids) => (
            <input
              id={ids.id}
              name="id"
              value={id}
              disabled={group !== undefined}
              required
              onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)}
              aria-invalid={ids.invalid}
              aria-describedby={ids.describedBy}
            />
          )}
        </Field>
        <Field label={t('admin.groups.name')} error={errors.fields.name}>
          {(ids) => (
            <input
              id={ids.id}
              name="name"
              value={name}
              required
              onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
              aria-invalid={ids.invalid}
              aria-describedby={ids.describedBy}
            />
          )}
        </Field>
        <Field label={t('admin.groups.description')} error={errors.fields.description} wide>
          {(ids) => (
            <input
              id={ids.id}
              name="description"
              value={description}
              onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)}
              aria-invalid={ids.invalid}
              aria-describedby={ids.describedBy}
            />
          )}
        </Field>
      </div>
      <h3>{t('admin.groups.permissions')}</h3>
      {isAdministrator && (
        <p class="warning" data-testid="administrator-note">
          {t('admin.groups.administratorNote')}
        </p>
      )}
      {errors.fields.permissions && (
        <p class="error field-error" role="alert" data-testid="field-error">
          {errors.fields.permissions}
        </p>
      )}
      <PermissionTree
        tree={props.tree}
        selected={isAdministrator ? new Set(all) : selected}
        grantable={grantable}
        locked={isAdministrator}
        onChange={setSelected}
      />
      {group && stale && <StaleNotice message={t('admin.groups.stale')} onReload={() => props.onReload(group)} />}
      {errors.general && (
        <p class="error" role="alert">
          {errors.general}
        </p>
      )}
      <div class="filter-actions">
        <button type="submit" class="primary">
          {group ? t('admin.save') : t('admin.groups.create')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('admin.cancel')}
        </button>
        {group && !isAdministrator && (
          <Confirm
            danger
            label={t('admin.delete')}
            question={
              props.inUse
                ? t('admin.groups.deleteInUse', { name: group.name })
                : t('admin.groups.deleteQuestion', { name: group.name })
            }
            yes={t('admin.deleteYes')}
            onConfirm={async () => {
              try {
                await api.delete(`/api/v1/user-groups/${encodeURIComponent(group.id)}`, {
                  'If-Match': `"${group.version}"`,
                });
                props.onDeleted(group);
              } catch (err) {
                if (isStale(err)) setStale(true);
                else setErrors({ fields: {}, general: t('common.error', { detail: messageOf(err) }) });
              }
            }}
          />
        )}
      </div>
    </form>
  );
}
