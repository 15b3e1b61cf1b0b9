/**
 * Configuration of the ESPA interfaces (issue 6), from the environment:
 *
 * - `TOCSIN_ESPA444_LINKS` (JSON) or `TOCSIN_ESPA444_LINKS_FILE` (a JSON file): a list of ESPA
 *   4.4.4 lines. Each is one TCP connection (Tocsin dials `connect`, or waits on `listen` for an
 *   RS-232/IP gateway), in one role: `paging` (Tocsin is the paging system: a nurse-call
 *   system or fire panel, the control station, sends calls that become alarms through `rules`)
 *   or `control` (Tocsin is the control station: it sends notifications to a legacy pager
 *   system, recipients `device:pager-<address>`). Either role takes calls in and sends
 *   notifications out when configured to.
 * - `TOCSIN_ESPAX_PORT` turns the ESPA-X server on; `TOCSIN_ESPAX_HOST`, `TOCSIN_ESPAX_TLS`,
 *   `TOCSIN_ESPAX_CLIENTS` (JSON) or `TOCSIN_ESPAX_CLIENTS_FILE`, `TOCSIN_ESPAX_RULES` (JSON),
 *   `TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS`.
 *
 * Problems come back as `NAME: reason` lines (the same as the rest of config.ts).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

const ALARM_TYPE = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an alarm type id');
const GLOB = z.string().min(1).max(64);
const HOST_PORT = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):\d{1,5}$/, 'host:port (e.g. 10.0.0.5:4001)')
  .transform((s, ctx) => {
    const i = s.lastIndexOf(':');
    const port = Number(s.slice(i + 1));
    if (port < 1 || port > 65535) ctx.addIssue({ code: 'custom', message: 'a port number from 1 to 65535' });
    return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port };
  });
const DIGIT = z.string().regex(/^[0-9]$/, "one digit '0'–'9'");
const MS = (max: number) => z.number().int().min(1).max(max);

const espa444Rule = z
  .object({
    address: GLOB.optional(),
    callType: z.enum(['2', '3']).optional(),
    priority: z.enum(['1', '2', '3']).optional(),
    beep: z
      .string()
      .regex(/^[0-9]$/)
      .optional(),
    header: z.enum(['1', '4']).optional(),
    alarmType: ALARM_TYPE,
  })
  .strict();

const espa444Link = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a link id: lower-case letters, digits, -'),
    role: z.enum(['paging', 'control']),
    connect: HOST_PORT.optional(),
    listen: HOST_PORT.optional(),
    /** Peers allowed to connect to `listen` (IP addresses); default: loopback only. */
    allowFrom: z
      .array(z.string().refine((a) => isIP(a) !== 0, 'an IP address'))
      .max(64)
      .optional(),
    ownAddress: DIGIT.optional(),
    peerAddress: DIGIT.optional(),
    charset: z.enum(['latin1', 'ia5', 'utf8']).default('latin1'),
    ackTimeoutMs: MS(60_000).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    trafficTimeoutMs: MS(600_000).optional(),
    pollIntervalMs: MS(600_000).optional(),
    maxTextChars: z.number().int().min(1).max(1000).optional(),
    /** Calls in → alarms: the first rule that matches (none: calls are refused with NAK '3'). */
    rules: z.array(espa444Rule).max(500).default([]),
    /** Notifications out to `device:pager-<address>` through this line. */
    pagers: z.boolean().optional(),
    beep: z
      .string()
      .regex(/^[0-9]$/)
      .optional(),
    transmissions: z
      .string()
      .regex(/^[1-9]$/)
      .optional(),
  })
  .strict()
  .superRefine((l, ctx) => {
    if ((l.connect === undefined) === (l.listen === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of connect and listen' });
  });

export type Espa444LinkConfig = z.output<typeof espa444Link> & {
  /** Whether notifications to `device:pager:…` go out through this line. */
  readonly sendsPagers: boolean;
};

const espaxRule = z
  .object({
    groupId: GLOB.optional(),
    signal: GLOB.optional(),
    prio: GLOB.optional(),
    callingNo: GLOB.optional(),
    alarmType: ALARM_TYPE,
  })
  .strict();

const espaxClient = z
  .object({
    client: z.string().min(1).max(30).optional(),
    user: z.string().min(4).max(12),
    password: z.string().min(4).max(12),
  })
  .strict();

export interface EspaxConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly clients: readonly z.output<typeof espaxClient>[];
  readonly rules: readonly z.output<typeof espaxRule>[];
  readonly heartbeatTimeoutMs: number | undefined;
}

export interface EspaConfig {
  readonly espa444: readonly Espa444LinkConfig[];
  readonly espax: EspaxConfig | undefined;
}

const ESPAX_VARIABLES = [
  'TOCSIN_ESPAX_HOST',
  'TOCSIN_ESPAX_TLS',
  'TOCSIN_ESPAX_CLIENTS',
  'TOCSIN_ESPAX_CLIENTS_FILE',
  'TOCSIN_ESPAX_RULES',
  'TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS',
] as const;

export function espaConfig(env: NodeJS.ProcessEnv): { config: EspaConfig; problems: string[] } {
  const problems: string[] = [];
  const json = (name: string, inline: string | undefined, file: string | undefined): unknown => {
    if (inline !== undefined && file !== undefined) {
      problems.push(`${name}: give it or ${name}_FILE, not both`);
      return undefined;
    }
    let text = inline;
    if (file !== undefined) {
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        problems.push(`${name}_FILE: cannot read ${file} (${(err as Error).message})`);
        return undefined;
      }
    }
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      problems.push(`${name}: not JSON (${(err as Error).message})`);
      return undefined;
    }
  };
  const issues = (name: string, e: z.ZodError) =>
    e.issues.slice(0, 20).map((i) => `${name}${i.path.length ? `[${i.path.join('.')}]` : ''}: ${i.message}`);

  // ESPA 4.4.4 lines.
  let espa444: Espa444LinkConfig[] = [];
  const rawLinks = json('TOCSIN_ESPA444_LINKS', env.TOCSIN_ESPA444_LINKS || undefined, env.TOCSIN_ESPA444_LINKS_FILE);
  if (rawLinks !== undefined) {
    const r = z.array(espa444Link).max(16).safeParse(rawLinks);
    if (!r.success) problems.push(...issues('TOCSIN_ESPA444_LINKS', r.error));
    else {
      espa444 = r.data.map((l) => ({ ...l, sendsPagers: l.pagers ?? l.role === 'control' }));
      const ids = espa444.map((l) => l.id);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup) problems.push(`TOCSIN_ESPA444_LINKS: link id '${dup}' is used twice`);
      if (espa444.filter((l) => l.sendsPagers).length > 1)
        problems.push('TOCSIN_ESPA444_LINKS: at most one line sends to pagers (pagers: true, or role control)');
    }
  }

  // ESPA-X server.
  let espax: EspaxConfig | undefined;
  const port = env.TOCSIN_ESPAX_PORT;
  if (port === undefined || port === '') {
    for (const k of ESPAX_VARIABLES)
      if (env[k] !== undefined && env[k] !== '') problems.push(`${k}: only with TOCSIN_ESPAX_PORT`);
  } else {
    const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 0 && n <= 65535)) problems.push('TOCSIN_ESPAX_PORT: a port number from 0 to 65535');
    const host = env.TOCSIN_ESPAX_HOST || '127.0.0.1';
    if (isIP(host) === 0 && host !== 'localhost') problems.push('TOCSIN_ESPAX_HOST: an IP address');
    const tls = env.TOCSIN_ESPAX_TLS ?? 'on';
    if (tls !== 'on' && tls !== 'off') problems.push('TOCSIN_ESPAX_TLS: on or off');
    const clients = z
      .array(espaxClient)
      .min(1, 'at least one client account')
      .max(200)
      .safeParse(json('TOCSIN_ESPAX_CLIENTS', env.TOCSIN_ESPAX_CLIENTS || undefined, env.TOCSIN_ESPAX_CLIENTS_FILE));
    if (!clients.success) problems.push(...issues('TOCSIN_ESPAX_CLIENTS', clients.error));
    const rules = z
      .array(espaxRule)
      .max(500)
      .default([])
      .safeParse(json('TOCSIN_ESPAX_RULES', env.TOCSIN_ESPAX_RULES || undefined, undefined));
    if (!rules.success) problems.push(...issues('TOCSIN_ESPAX_RULES', rules.error));
    const hb = env.TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS;
    const heartbeat = hb === undefined || hb === '' ? undefined : Number(hb);
    if (heartbeat !== undefined && !(Number.isInteger(heartbeat) && heartbeat >= 1_000 && heartbeat <= 3_600_000))
      problems.push('TOCSIN_ESPAX_HEARTBEAT_TIMEOUT_MS: milliseconds from 1000 to 3600000');
    if (clients.success && rules.success)
      espax = {
        host,
        port: n,
        tls: tls === 'on',
        clients: clients.data,
        rules: rules.data,
        heartbeatTimeoutMs: heartbeat,
      };
  }
  return { config: { espa444, espax }, problems };
}
