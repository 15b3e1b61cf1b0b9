/**
 * What the console shows at each page of console-pages.ts: the title (also the navigation
 * label) and the view. The compiler checks that every page has an entry.
 */
import type { ComponentType, JSX } from 'preact';
import type { Me } from './api.ts';
import { BoardPage } from './board/board-page.tsx';
import type { PagePath } from './console-pages.ts';
import { addMessages, type MessageKey } from './i18n/i18n.ts';
import { lazyView } from './lazy-view.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { PasswordPage } from './pages/password-page.tsx';
// The areas' styles stay in the main stylesheet, in the order they always had (ops.css comes with
// the board, then these, then main.tsx's styles.css): some of their rules are not scoped to their
// area (label.check, .confirm, .tabs) and apply elsewhere too, so loading them with the pages
// would change the look by which page was opened first.
import './admin/admin.css';
import './plans/plans.css';
import './system/system.css';

// Every page but login, password and the board (the operators' start page) is its own chunk,
// imported when first opened, so the main bundle holds only the shell. The pages of the
// administration, plans and system areas bring their area's messages (i18n.ts): they are most of
// the console's text, in five languages.
const AREA_MESSAGES = {
  admin: () => import('./admin/messages.ts').then((m) => m.adminMessages),
  plans: () => import('./plans/messages.ts').then((m) => m.planMessages),
  system: () => import('./system/messages.ts').then((m) => m.systemMessages),
} as const;
/** A lazy page of `area`: its messages are added before it first renders. */
function areaView<P extends object>(
  area: keyof typeof AREA_MESSAGES,
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  return lazyView(async () => {
    const [messages, view] = await Promise.all([AREA_MESSAGES[area](), load()]);
    addMessages(messages);
    return view;
  });
}

const AccessLogPage = areaView('admin', () => import('./admin/access-log-page.tsx').then((m) => m.AccessLogPage));
const ConfigurationPage = areaView('admin', () =>
  import('./admin/configuration-page.tsx').then((m) => m.ConfigurationPage),
);
const UserGroupsPage = areaView('admin', () => import('./admin/user-groups-page.tsx').then((m) => m.UserGroupsPage));
const UsersPage = areaView('admin', () => import('./admin/users-page.tsx').then((m) => m.UsersPage));
const ContactsPage = lazyView(() => import('./ops/contacts-page.tsx').then((m) => m.ContactsPage));
const PhonesPage = lazyView(() => import('./ops/phones-page.tsx').then((m) => m.PhonesPage));
const ProtocolPage = lazyView(() => import('./pages/protocol-page.tsx').then((m) => m.ProtocolPage));
const PlanEditorPage = areaView('plans', () => import('./plans/plan-editor-page.tsx').then((m) => m.PlanEditorPage));
const PlansPage = areaView('plans', () => import('./plans/plans-page.tsx').then((m) => m.PlansPage));
const WhatIfPage = areaView('plans', () => import('./plans/what-if-page.tsx').then((m) => m.WhatIfPage));
const SupervisionPage = areaView('system', () =>
  import('./system/supervision-page.tsx').then((m) => m.SupervisionPage),
);
const SystemPage = areaView('system', () => import('./system/system-page.tsx').then((m) => m.SystemPage));
// The timeline draws the plan with the plans area's diagram, and its words.
const TimelinePage = areaView('plans', () => import('./timeline/timeline-page.tsx').then((m) => m.TimelinePage));

/** What a view gets: the user, the address's `:id` (pages of one thing) and the password callback. */
export interface ViewProps {
  readonly me: Me;
  readonly param: string | undefined;
  readonly onPasswordChanged: () => Promise<void>;
  readonly onLoggedIn: () => Promise<void>;
}

export interface View {
  /** The page's title and its label in the navigation. */
  readonly title: MessageKey;
  readonly render: (p: ViewProps) => JSX.Element;
}

export const VIEWS: Readonly<Record<PagePath, View>> = {
  '/login': { title: 'login.title', render: (p) => <LoginPage onLoggedIn={p.onLoggedIn} /> },
  '/password': {
    title: 'password.title',
    render: (p) => <PasswordPage forced={p.me.mustChangePassword} onChanged={p.onPasswordChanged} />,
  },
  '/board': { title: 'nav.board', render: (p) => <BoardPage me={p.me} /> },
  '/protocol': { title: 'nav.protocol', render: () => <ProtocolPage /> },
  '/alarms/:id': {
    title: 'timeline.title',
    render: (p) => <TimelinePage alarmId={p.param!} />,
  },
  '/phones': { title: 'nav.phones', render: (p) => <PhonesPage permissions={p.me.permissions} /> },
  '/contacts': { title: 'nav.contacts', render: () => <ContactsPage /> },
  '/what-if': { title: 'nav.whatIf', render: () => <WhatIfPage /> },
  '/admin/users': { title: 'nav.users', render: (p) => <UsersPage me={p.me} /> },
  '/admin/user-groups': { title: 'nav.userGroups', render: (p) => <UserGroupsPage me={p.me} /> },
  '/admin/configuration': { title: 'nav.configuration', render: (p) => <ConfigurationPage me={p.me} /> },
  '/admin/plans': { title: 'nav.plans', render: (p) => <PlansPage permissions={p.me.permissions} /> },
  '/admin/plans/:id': { title: 'nav.plans', render: (p) => <PlanEditorPage planId={p.param!} /> },
  '/admin/supervision': { title: 'nav.supervision', render: () => <SupervisionPage /> },
  '/admin/access-log': { title: 'nav.accessLog', render: (p) => <AccessLogPage me={p.me} /> },
  '/admin/system': { title: 'nav.system', render: (p) => <SystemPage me={p.me} /> },
};
