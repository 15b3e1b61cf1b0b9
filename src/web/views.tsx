/**
 * What the console shows at each page of console-pages.ts: the title (also the navigation
 * label) and the view. The compiler checks that every page has an entry.
 */
import type { JSX } from 'preact';
import type { Me } from './api.ts';
import { BoardPage } from './board/board-page.tsx';
import type { PagePath } from './console-pages.ts';
import type { MessageKey } from './i18n/i18n.ts';
import { AccessLogPage } from './admin/access-log-page.tsx';
import { ConfigurationPage } from './admin/configuration-page.tsx';
import { UserGroupsPage } from './admin/user-groups-page.tsx';
import { UsersPage } from './admin/users-page.tsx';
import { ContactsPage } from './ops/contacts-page.tsx';
import { PhonesPage } from './ops/phones-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { PasswordPage } from './pages/password-page.tsx';
import { ProtocolPage } from './pages/protocol-page.tsx';
import { PlanEditorPage } from './plans/plan-editor-page.tsx';
import { PlansPage } from './plans/plans-page.tsx';
import { WhatIfPage } from './plans/what-if-page.tsx';
import { SupervisionPage } from './system/supervision-page.tsx';
import { SystemPage } from './system/system-page.tsx';
import { TimelinePage } from './timeline/timeline-page.tsx';

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
    render: (p) => <TimelinePage alarmId={p.param!} permissions={p.me.permissions} />,
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
