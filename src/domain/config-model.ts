/**
 * The configuration model around plans: environments, notification profiles, notification
 * groups, contacts, alarm types and web alarm templates. Each kind is a zod schema (strict:
 * unknown fields are refused) over a JSON document with an `id`; `checkReferences` checks a
 * whole configuration for dangling references. The store keeps one row per item and records
 * every change; the runtime reads it when an alarm is raised and freezes what it read.
 */
import { z } from 'zod';
import type { PlanRef } from './alarm.ts';

export const CONFIG_KINDS = ['environment', 'profile', 'group', 'contact', 'alarmType', 'webTemplate'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

/** URL segment of each kind (`/api/v1/config/<segment>`). */
export const KIND_SEGMENT: Readonly<Record<ConfigKind, string>> = {
  environment: 'environments',
  profile: 'profiles',
  group: 'groups',
  contact: 'contacts',
  alarmType: 'alarm-types',
  webTemplate: 'web-templates',
};

const TEMPLATE_FIELDS = ['alarm.text', 'alarm.location', 'alarm.type', 'alarm.priority'] as const;

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const id = z.string().regex(ID_PATTERN, 'ids are 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit');
/** No control characters (PostgreSQL's jsonb refuses NUL; none belongs on a handset display). */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const printable = /^[^\u0000-\u001f\u007f]*$/;
const name = z.string().trim().min(1).max(200).regex(printable, 'no control characters');
const environmentRef = id.default('default');

export const planRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}@[1-9][0-9]{0,8}$/, 'must be <planId>@<version>, e.g. escalate@1');
export const parsePlanRef = (s: string): PlanRef => {
  const [pid, v] = s.split('@') as [string, string];
  return { id: pid, version: Number(v) };
};
export const formatPlanRef = (p: PlanRef): string => `${p.id}@${p.version}`;

const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone, e.g. Europe/Berlin');

export const environmentSchema = z
  .object({
    id,
    name,
    timeZone: timeZone.default('UTC'),
    /** The plan alarms of this environment fall back to when their own plan cannot run. */
    defaultPlan: planRefSchema.default('escalate@1'),
    /** Optional alarm type raised as a supervision alarm when a fallback happens. */
    supervisionAlarmType: id.optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    id,
    name,
    environment: environmentRef,
    priority: z.enum(['emergency', 'high', 'normal', 'low']).default('normal'),
    popup: z.boolean().default(true),
    /** Ring tone number of the handset (DECT) or a named tone. */
    tone: z.union([z.number().int().min(0).max(31), z.string().regex(/^[a-z0-9-]{1,32}$/)]).default(0),
    volume: z.number().int().min(0).max(9).default(5),
    vibration: z.boolean().default(false),
    /** Responses the recipient is offered. */
    confirmation: z
      .array(z.enum(['accept', 'reject']))
      .max(2)
      .refine((l) => new Set(l).size === l.length, 'a choice is listed twice')
      .default(['accept', 'reject']),
    /** Repeat the notification on the device until answered. */
    repeat: z
      .object({ count: z.number().int().min(0).max(20), intervalMs: z.number().int().min(1000).max(3_600_000) })
      .strict()
      .default({ count: 0, intervalMs: 30_000 }),
  })
  .strict();

export const memberSchema = z
  .object({ kind: z.enum(['user', 'device', 'contact']), id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) })
  .strict();
export type Member = z.infer<typeof memberSchema>;

/** The recipient address a plan sees for a member: users plain, devices and contacts prefixed. */
export const memberAddress = (m: Member): string => (m.kind === 'user' ? m.id : `${m.kind}:${m.id}`);

export const groupSchema = z
  .object({
    id,
    name,
    environment: environmentRef,
    members: z
      .array(memberSchema)
      .max(500)
      .refine((l) => new Set(l.map(memberAddress)).size === l.length, 'a member is listed twice')
      .default([]),
    /** With presence, only members logged in to the group are notified. */
    presence: z.boolean().default(false),
    /** Notified instead when nobody in this group can be notified (empty, or nobody present). */
    fallback: id.optional(),
  })
  .strict();

export const contactSchema = z
  .object({
    id,
    name,
    environment: environmentRef,
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{3,32}$/, 'a phone number of digits, spaces, ( ) - and an optional leading +')
      .optional(),
  })
  .strict();

export const alarmTypeSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'alarm type ids are lower-case letters, digits and -'),
    name,
    environment: environmentRef,
    priority: z.number().int().min(0).max(9),
    /** The alarm's text: `{alarm.text}`, `{alarm.location}`, `{alarm.type}`, `{alarm.priority}` are filled in. */
    textTemplate: z
      .string()
      .max(500)
      .refine(
        (t) => [...t.matchAll(/\{([^{}]*)\}/g)].every((m) => TEMPLATE_FIELDS.includes(m[1] as never)),
        'placeholders are {alarm.text}, {alarm.location}, {alarm.type} and {alarm.priority}',
      )
      .default('{alarm.text}'),
    /** `id@version`; `{ id, version }` is accepted too. */
    plan: z
      .union([
        planRefSchema,
        z
          .object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), version: z.number().int().min(1) })
          .strict()
          .transform(formatPlanRef),
      ])
      .default('escalate@1'),
    params: z.record(z.string().max(64), z.union([z.number(), z.string().max(500), z.boolean()])).default({}),
    profile: id.optional(),
  })
  .strict();

export const webTemplateSchema = z
  .object({
    id,
    name,
    environment: environmentRef,
    alarmType: alarmTypeSchema.shape.id,
    text: z.string().min(1).max(500).regex(printable, 'no control characters'),
    location: z.string().max(200).regex(printable, 'no control characters').optional(),
  })
  .strict();

export const configSchemas = {
  environment: environmentSchema,
  profile: profileSchema,
  group: groupSchema,
  contact: contactSchema,
  alarmType: alarmTypeSchema,
  webTemplate: webTemplateSchema,
} as const;

export type Environment = z.infer<typeof environmentSchema>;
export type Profile = z.infer<typeof profileSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type AlarmType = z.infer<typeof alarmTypeSchema>;
export type WebTemplate = z.infer<typeof webTemplateSchema>;
export interface ConfigItemOf {
  environment: Environment;
  profile: Profile;
  group: Group;
  contact: Contact;
  alarmType: AlarmType;
  webTemplate: WebTemplate;
}

/** A whole configuration, each kind as id → item. */
export type ConfigSnapshot = { readonly [K in ConfigKind]: ReadonlyMap<string, ConfigItemOf[K]> };

export const emptySnapshot = (): ConfigSnapshot => ({
  environment: new Map(),
  profile: new Map(),
  group: new Map(),
  contact: new Map(),
  alarmType: new Map(),
  webTemplate: new Map(),
});

export interface ReferenceProblem {
  readonly kind: ConfigKind;
  readonly id: string;
  /** JSON pointer inside the item. */
  readonly pointer: string;
  readonly reason: string;
}

/**
 * Every dangling reference in a configuration: an item in an unknown environment, an alarm
 * type with an unknown profile, a group falling back to an unknown group (or in a cycle), a
 * member contact that does not exist, a web template of an unknown alarm type. Plans are
 * checked elsewhere (they need the plan store).
 */
export function checkReferences(s: ConfigSnapshot): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const envOf = (kind: ConfigKind, item: { id: string }) =>
    kind === 'environment' ? item.id : (item as unknown as { environment: string }).environment;
  const need = (kind: ConfigKind, item: { id: string }, pointer: string, target: ConfigKind, ref: string) => {
    const found = s[target].get(ref);
    if (!found) out.push({ kind, id: item.id, pointer, reason: `unknown ${target} '${ref}'` });
    // Environments are separate: nothing refers across them (a user of one sees nothing of another).
    else if (target !== 'environment' && envOf(target, found) !== envOf(kind, item))
      out.push({ kind, id: item.id, pointer, reason: `${target} '${ref}' belongs to another environment` });
  };
  for (const kind of CONFIG_KINDS) {
    if (kind === 'environment') continue;
    for (const item of s[kind].values()) need(kind, item, '/environment', 'environment', item.environment);
  }
  for (const e of s.environment.values()) {
    if (e.supervisionAlarmType) need('environment', e, '/supervisionAlarmType', 'alarmType', e.supervisionAlarmType);
  }
  for (const t of s.alarmType.values()) if (t.profile) need('alarmType', t, '/profile', 'profile', t.profile);
  for (const w of s.webTemplate.values()) need('webTemplate', w, '/alarmType', 'alarmType', w.alarmType);
  for (const g of s.group.values()) {
    g.members.forEach((m, i) => {
      if (m.kind === 'contact') need('group', g, `/members/${i}/id`, 'contact', m.id);
    });
    if (g.fallback === undefined) continue;
    need('group', g, '/fallback', 'group', g.fallback);
    const seen = new Set([g.id]);
    for (let f = s.group.get(g.fallback); f?.fallback !== undefined; f = s.group.get(f.fallback)) {
      if (seen.has(f.fallback)) {
        out.push({
          kind: 'group',
          id: g.id,
          pointer: '/fallback',
          reason: `fallback groups form a cycle through '${f.fallback}'`,
        });
        break;
      }
      seen.add(f.fallback);
    }
  }
  return out;
}

/** Present members of presence-tracked groups: group id → member addresses. */
export type PresenceMap = Readonly<Record<string, readonly string[]>>;

export interface ResolvedGroups {
  /** Group id → recipient addresses to notify (presence applied, fallbacks followed). */
  readonly groups: Record<string, string[]>;
  /** Group id → present addresses, for presence-tracked groups only. */
  readonly presence: Record<string, string[]>;
  /** Groups that fell back, e.g. `{ night: 'day' }`, for the protocol. */
  readonly fellBack: Record<string, string>;
}

/**
 * The groups as a plan sees them at raise time: each group's members, only those present
 * when the group tracks presence, and the fallback group's (resolved the same way) when that
 * leaves nobody. Fallback chains are followed to their end (cycles stop at the first repeat).
 */
export function resolveGroups(groups: ReadonlyMap<string, Group>, presence: PresenceMap): ResolvedGroups {
  const direct = (g: Group): string[] => {
    const all = g.members.map(memberAddress);
    if (!g.presence) return all;
    const here = new Set(presence[g.id] ?? []);
    return all.filter((a) => here.has(a));
  };
  const out: ResolvedGroups = { groups: {}, presence: {}, fellBack: {} };
  for (const g of groups.values()) {
    if (g.presence) out.presence[g.id] = direct(g);
    let recipients = direct(g);
    const seen = new Set([g.id]);
    let at: Group | undefined = g;
    while (recipients.length === 0 && at?.fallback !== undefined && !seen.has(at.fallback)) {
      seen.add(at.fallback);
      at = groups.get(at.fallback);
      if (at) recipients = direct(at);
    }
    if (at && at !== g && recipients.length > 0) out.fellBack[g.id] = at.id;
    out.groups[g.id] = recipients;
  }
  return out;
}

/** Fills the placeholders of an alarm type's text template (see TEMPLATE_FIELDS). */
export function fillTextTemplate(
  template: string,
  f: { text: string; location?: string | undefined; type: string; priority: number },
): string {
  return template.replace(/\{alarm\.(text|location|type|priority)\}/g, (_, k: string) =>
    k === 'text' ? f.text : k === 'location' ? (f.location ?? '') : k === 'type' ? f.type : String(f.priority),
  );
}
