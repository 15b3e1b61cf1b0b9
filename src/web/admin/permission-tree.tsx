/**
 * The User Group form's permission tree (GET /api/v1/permissions `tree`): a fieldset per
 * section (General, Operation, Administration, System) with "all of this section", headings
 * nested below, a checkbox per permission. A permission the caller does not hold is shown but
 * cannot be ticked (the server refuses to grant it); `locked` shows the tree read-only (the
 * Administrator group always holds everything).
 */
import { useConsole } from '../context.ts';
import { MESSAGES, type MessageKey } from '../i18n/i18n.ts';
import { leavesOf, setAll, tickState, type PermissionNode } from './admin-model.ts';

/** The translated label of a permission or heading, else the server's English one. */
function useLabel(): (kind: 'perm' | 'heading', id: string, fallback: string) => string {
  const { t } = useConsole();
  return (kind, id, fallback) => {
    const key = `admin.${kind}.${id}`;
    return Object.hasOwn(MESSAGES.EN, key) ? t(key as MessageKey) : fallback;
  };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function PermissionTree(props: {
  tree: readonly PermissionNode[];
  selected: ReadonlySet<string>;
  grantable: (id: string) => boolean;
  locked: boolean;
  onChange: (next: Set<string>) => void;
}) {
  const { t } = useConsole();
  const label = useLabel();
  const { selected, grantable, locked } = props;

  const node = (n: PermissionNode, depth: number) => {
    if (!('children' in n)) {
      const may = grantable(n.id);
      return (
        <li key={n.id}>
          <label class={may ? undefined : 'muted'} title={may ? undefined : t('admin.groups.notHeld')}>
            <input
              type="checkbox"
              name="permissions"
              value={n.id}
              checked={selected.has(n.id)}
              disabled={locked || !may}
              onChange={(e) => props.onChange(setAll(selected, [n.id], (e.currentTarget as HTMLInputElement).checked))}
            />
            {label('perm', n.id, n.label)}
          </label>
        </li>
      );
    }
    return (
      <li key={n.label} class="heading">
        <span class="heading-label">{label('heading', slug(n.label), n.label)}</span>
        <ul>{n.children.map((c) => node(c, depth + 1))}</ul>
      </li>
    );
  };

  return (
    <div class="permission-tree" data-testid="permission-tree">
      {props.tree.map((section) => {
        const ids = leavesOf(section);
        const state = tickState(ids, selected);
        const name = label('heading', slug(section.label), section.label);
        return (
          <fieldset key={section.label} data-section={section.label}>
            <legend>{name}</legend>
            <label class="select-all">
              <input
                type="checkbox"
                checked={state === 'all'}
                ref={(el) => {
                  if (el) el.indeterminate = state === 'some';
                }}
                disabled={locked || !ids.some(grantable)}
                aria-label={t('admin.groups.selectAll', { section: name })}
                onChange={(e) =>
                  props.onChange(setAll(selected, ids, (e.currentTarget as HTMLInputElement).checked, grantable))
                }
              />
              {t('admin.groups.selectAll', { section: name })}
            </label>
            <ul>{'children' in section ? section.children.map((c) => node(c, 1)) : node(section, 1)}</ul>
          </fieldset>
        );
      })}
    </div>
  );
}
