/** Kysely table types for the schema in migrations/ (hand-written; no codegen). */
import type { ColumnType } from 'kysely';

type Json = ColumnType<unknown, string, string>;
type Time = ColumnType<Date, Date, Date>;
type NullableTime = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface PlansTable {
  id: string;
  version: number;
  definition: Json;
  created_at: Time;
  published_by: ColumnType<string, string | undefined, string>;
  disabled_at: NullableTime;
  disabled_by: ColumnType<string | null, string | null | undefined, string | null>;
  environment: ColumnType<string, string | undefined, string>;
  /** The definition as published (member order kept); null on rows from before it existed. */
  source: ColumnType<string | null, string | undefined, never>;
}

export interface AlarmsTable {
  id: string;
  type: string;
  priority: number;
  text: string;
  location: string | null;
  source: Json;
  environment: string;
  plan_id: string;
  plan_version: number;
  status: string;
  state: string;
  snapshot: Json;
  seq: number;
  last_hash: string;
  raised_at: Time;
  updated_at: Time;
  ended_at: NullableTime;
}

export interface ProtocolTable {
  alarm_id: string;
  seq: number;
  at: Time;
  kind: string;
  event: Json;
  from_state: string | null;
  to_state: string;
  guards: Json;
  effects: Json;
  actor: Json;
  note: string;
  late_ms: number | null;
  prev_hash: string;
  hash: string;
}

export interface TimersTable {
  id: string;
  alarm_id: string;
  send_id: string;
  event: Json;
  due_at: Time;
  status: string;
  created_seq: number;
  fired_at: NullableTime;
  late_ms: number | null;
}

export interface NotificationsTable {
  alarm_id: string;
  notification_id: string;
  recipient: string;
  channel: string;
  grp: string;
  round: number;
  status: string;
  idempotency_key: string;
  created_at: Time;
  sent_at: NullableTime;
  delivered_at: NullableTime;
  read_at: NullableTime;
  responded_at: NullableTime;
  response: string | null;
  error: string | null;
}

export interface OutboxTable {
  id: string;
  alarm_id: string;
  seq: number;
  kind: string;
  payload: Json;
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  lease_until: NullableTime;
  created_at: Time;
  done_at: NullableTime;
  error: string | null;
}

export interface ConfigItemsTable {
  kind: string;
  id: string;
  environment: string;
  body: Json;
  version: number;
  updated_at: Time;
  updated_by: string;
}

export interface PresenceTable {
  grp: string;
  member: string;
  since: Time;
}

export interface ConfigChangesTable {
  seq: number;
  at: Time;
  actor: string;
  kind: string;
  id: string;
  op: string;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  prev_hash: string;
  hash: string;
}

export interface AccessLogTable {
  seq: number;
  at: Time;
  actor: string;
  source: string | null;
  action: string;
  outcome: string;
  target: string | null;
  environment: string | null;
  details: ColumnType<unknown, string | null, never>;
  prev_hash: string;
  hash: string;
}

export interface DB {
  plans: PlansTable;
  alarms: AlarmsTable;
  protocol: ProtocolTable;
  timers: TimersTable;
  notifications: NotificationsTable;
  outbox: OutboxTable;
  config_items: ConfigItemsTable;
  presence: PresenceTable;
  config_changes: ConfigChangesTable;
  access_log: AccessLogTable;
  user_groups: UserGroupsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  pseudonyms: PseudonymsTable;
  pseudonym_key: PseudonymKeyTable;
  device_messages: DeviceMessagesTable;
  device_message_keys: DeviceMessageKeysTable;
  link_leases: LinkLeasesTable;
}

// Identity (migrations/20261126T0200-identity.ts).

export interface UserGroupsTable {
  id: string;
  name: string;
  description: string;
  permissions: Json;
  created_at: Time;
  updated_at: Time;
  /** 1 at creation, +1 per change (migrations/20261130T0000-identity-version.ts). */
  version: ColumnType<number, number | undefined, number>;
}

export interface UsersTable {
  id: string;
  login_name: string;
  login_key: string;
  display_name: string;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  language: string;
  start_page: string;
  user_group: string;
  environments: Json;
  password_hash: string;
  pin_hash: string | null;
  must_change_password: boolean;
  locked: ColumnType<boolean, boolean | undefined, boolean>;
  locked_at: NullableTime;
  built_in: ColumnType<boolean, boolean | undefined, boolean>;
  erased: ColumnType<boolean, boolean | undefined, boolean>;
  password_changed_at: Time;
  created_at: Time;
  updated_at: Time;
  /** 1 at creation, +1 per change (migrations/20261130T0000-identity-version.ts). */
  version: ColumnType<number, number | undefined, number>;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: Time;
  last_seen_at: Time;
  expires_at: Time;
  source: string | null;
  csrf_hash: string;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  owner_id: string;
  permissions: Json;
  environments: Json;
  created_at: Time;
  expires_at: NullableTime;
  revoked_at: NullableTime;
  last_used_at: NullableTime;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_at: Time;
  last_at: Time;
  blocked_until: NullableTime;
  locked: ColumnType<boolean, boolean | undefined, boolean>;
}

// Pseudonyms (migrations/20261127T0000-pseudonyms.ts).

export interface PseudonymsTable {
  pseudonym: string;
  /** Null once erased. */
  value: string | null;
  created_at: Time;
  erased_at: NullableTime;
}

export interface PseudonymKeyTable {
  id: number;
  key: string;
  created_at: Time;
}

// Device messages (migrations/20261127T0100-device-messages.ts). int8 is parsed to a number (int8.ts).

export interface DeviceMessagesTable {
  channel: string;
  send_time: number;
  msg_id: number;
  alarm_id: string;
  notification_id: string;
  recipient: string;
  address: string;
  payload: ColumnType<unknown, string | null, never>;
  status: string;
  created_at: Time;
  updated_at: Time;
}

export interface DeviceMessageKeysTable {
  channel: string;
  /** Null (with msg_id) until the channel's first key. */
  send_time: number | null;
  msg_id: number | null;
}

// Link leases (migrations/20261128T0000-link-leases.ts).

export interface LinkLeasesTable {
  name: string;
  holder: string;
  token: number;
  expires_at: Time;
  acquired_at: Time;
}
