/**
 * The Mitel SIP-DECT (OM AXI) part of the configuration, from TOCSIN_DECT_* variables. Absent
 * TOCSIN_DECT_HOST: no DECT link (the loopback channel stays). With it, the DECT adapter is the
 * notification channel. Pure: reads only the variables it is given (and, for TOCSIN_DECT_CA and
 * TOCSIN_DECT_PASSWORD_FILE, the files they name); throws ConfigError listing every problem.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

export interface DectConfig {
  readonly host: string;
  readonly port: number;
  /** TLS (port 12622, the default) or plain TCP (12621, for debugging only). */
  readonly tls: boolean;
  /** SHA-256 fingerprint the OMM's certificate must have (`AA:BB:…`); replaces CA checks. */
  readonly fingerprint: string | undefined;
  /** PEM of the CA that signed the OMM's certificate, when not pinned. */
  readonly ca: string | undefined;
  readonly username: string;
  readonly password: string;
  /** The address handset replies go to, and its name. */
  readonly fromAddr: string;
  readonly fromName: string;
  /** The element name of confirmation choices the OMM expects (protocols.md open question). */
  readonly confirmElement: 'confirm' | 'confirmReq';
  /** Handset alarm trigger id (upper case) → alarm type; `*` for the rest. */
  readonly triggers: Readonly<Record<string, string>>;
  /** Text typed on a handset → alarm type: the first glob that matches the whole text. */
  readonly messageRules: readonly { readonly pattern: string; readonly alarmType: string }[];
  /** Base station (RFP id) → the place it covers. */
  readonly locations: Readonly<Record<number, string>>;
  /** The environment the handsets (the phones list, locating alerts) belong to. */
  readonly environment: string;
  /**
   * Handsets always on duty (fixed posts), besides those of members present in a
   * presence-tracked group: switched off or out of range, they raise a supervision alarm.
   */
  readonly onDuty?: readonly string[];
}

export const DECT_VARIABLES = [
  'TOCSIN_DECT_HOST',
  'TOCSIN_DECT_PORT',
  'TOCSIN_DECT_TLS',
  'TOCSIN_DECT_FINGERPRINT',
  'TOCSIN_DECT_CA',
  'TOCSIN_DECT_USER',
  'TOCSIN_DECT_PASSWORD',
  'TOCSIN_DECT_PASSWORD_FILE',
  'TOCSIN_DECT_FROM',
  'TOCSIN_DECT_FROM_NAME',
  'TOCSIN_DECT_CONFIRM',
  'TOCSIN_DECT_TRIGGERS',
  'TOCSIN_DECT_LOCATIONS',
  'TOCSIN_DECT_MESSAGE_RULES',
  'TOCSIN_DECT_ENVIRONMENT',
  'TOCSIN_DECT_ON_DUTY',
] as const;

const FINGERPRINT = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;
const TRIGGERS = /^\s*([A-Za-z0-9*_.-]{1,64})\s*=\s*([a-z0-9][a-z0-9-]{0,63})\s*$/;
const MESSAGE_RULE = /^\s*([^,=]{1,100})=\s*([a-z0-9][a-z0-9-]{0,63})\s*$/;
const LOCATION = /^\s*([0-9]{1,9})\s*=\s*([^,=]{1,100})$/;
export const DEFAULT_TRIGGERS = 'SOS=emergency,MANDOWN=man-down,NOMOVEMENT=man-down';

const schema = z.object({
  TOCSIN_DECT_HOST: z
    .string()
    .refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(h), 'an IP address or a host name'),
  TOCSIN_DECT_PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'a port number from 1 to 65535')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, 'a port number from 1 to 65535')
    .optional(),
  TOCSIN_DECT_TLS: z.enum(['on', 'off']).default('on'),
  TOCSIN_DECT_FINGERPRINT: z.string().regex(FINGERPRINT, 'a SHA-256 fingerprint: 32 hex pairs joined by :').optional(),
  TOCSIN_DECT_CA: z.string().min(1).optional(),
  TOCSIN_DECT_USER: z.string({ error: 'the OMM account (AXI user) is required' }).min(1).max(64),
  TOCSIN_DECT_PASSWORD: z.string().min(1).max(255).optional(),
  TOCSIN_DECT_PASSWORD_FILE: z.string().min(1).optional(),
  TOCSIN_DECT_FROM: z
    .string()
    .regex(/^[A-Za-z]+:[^\s]{1,120}$/, 'an address such as tel:9999')
    .default('tel:9999'),
  TOCSIN_DECT_FROM_NAME: z.string().min(1).max(64).default('Tocsin'),
  TOCSIN_DECT_CONFIRM: z.enum(['confirm', 'confirmReq']).default('confirm'),
  TOCSIN_DECT_TRIGGERS: z.string().default(DEFAULT_TRIGGERS),
  TOCSIN_DECT_LOCATIONS: z.string().optional(),
  TOCSIN_DECT_MESSAGE_RULES: z.string().optional(),
  TOCSIN_DECT_ENVIRONMENT: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an environment id')
    .default('default'),
  TOCSIN_DECT_ON_DUTY: z
    .string()
    .regex(/^\s*\d{1,20}\s*(,\s*\d{1,20}\s*)*$/, 'handset numbers separated by commas (e.g. 4711,4712)')
    .optional(),
});

/** The DECT configuration, or undefined without TOCSIN_DECT_HOST; problems as `NAME: reason` lines. */
export function dectConfig(env: NodeJS.ProcessEnv): { config?: DectConfig; problems: string[] } {
  const given = DECT_VARIABLES.filter((k) => env[k] !== undefined && env[k] !== '');
  if (env.TOCSIN_DECT_HOST === undefined || env.TOCSIN_DECT_HOST === '') {
    return { problems: given.map((k) => `${k}: only with TOCSIN_DECT_HOST (the OMM's address)`) };
  }
  const r = schema.safeParse(Object.fromEntries(given.map((k) => [k, env[k]])));
  if (!r.success) return { problems: r.error.issues.map((i) => `${String(i.path[0] ?? 'TOCSIN_DECT')}: ${i.message}`) };
  const e = r.data;
  const problems: string[] = [];
  const tls = e.TOCSIN_DECT_TLS === 'on';
  if (!tls && (e.TOCSIN_DECT_FINGERPRINT || e.TOCSIN_DECT_CA))
    problems.push('TOCSIN_DECT_FINGERPRINT / TOCSIN_DECT_CA: only with TOCSIN_DECT_TLS=on');
  if (e.TOCSIN_DECT_FINGERPRINT && e.TOCSIN_DECT_CA)
    problems.push('TOCSIN_DECT_CA: give a pinned fingerprint or a CA, not both');
  if ((e.TOCSIN_DECT_PASSWORD === undefined) === (e.TOCSIN_DECT_PASSWORD_FILE === undefined))
    problems.push('TOCSIN_DECT_PASSWORD: give it, or TOCSIN_DECT_PASSWORD_FILE, exactly one of them');
  const read = (name: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${name}: cannot read ${path} (${(err as Error).message})`);
      return undefined;
    }
  };
  const ca = read('TOCSIN_DECT_CA', e.TOCSIN_DECT_CA);
  const password = e.TOCSIN_DECT_PASSWORD ?? read('TOCSIN_DECT_PASSWORD_FILE', e.TOCSIN_DECT_PASSWORD_FILE)?.trim();
  const triggers: Record<string, string> = {};
  for (const part of e.TOCSIN_DECT_TRIGGERS.split(',')) {
    const m = TRIGGERS.exec(part);
    if (!m) {
      problems.push(`TOCSIN_DECT_TRIGGERS: '${part}' is not TRIGGER=alarm-type (e.g. ${DEFAULT_TRIGGERS})`);
      continue;
    }
    triggers[m[1]!.toUpperCase()] = m[2]!;
  }
  const locations: Record<number, string> = {};
  for (const part of e.TOCSIN_DECT_LOCATIONS?.split(',') ?? []) {
    const m = LOCATION.exec(part);
    if (m) locations[Number(m[1])] = m[2]!.trim();
    else problems.push(`TOCSIN_DECT_LOCATIONS: '${part}' is not RFP=place (e.g. 10=Deck 5 fore,11=Deck 5 aft)`);
  }
  const messageRules: { pattern: string; alarmType: string }[] = [];
  for (const part of e.TOCSIN_DECT_MESSAGE_RULES?.split(',') ?? []) {
    const m = MESSAGE_RULE.exec(part);
    if (m) messageRules.push({ pattern: m[1]!.trim(), alarmType: m[2]! });
    else
      problems.push(
        `TOCSIN_DECT_MESSAGE_RULES: '${part}' is not TEXT*=alarm-type (e.g. FIRE*=emergency,*HELP*=emergency)`,
      );
  }
  if (problems.length > 0 || password === undefined) return { problems };
  return {
    problems,
    config: {
      host: e.TOCSIN_DECT_HOST,
      port: e.TOCSIN_DECT_PORT ?? (tls ? 12622 : 12621),
      tls,
      fingerprint: e.TOCSIN_DECT_FINGERPRINT?.toUpperCase(),
      ca,
      username: e.TOCSIN_DECT_USER,
      password,
      fromAddr: e.TOCSIN_DECT_FROM,
      fromName: e.TOCSIN_DECT_FROM_NAME,
      confirmElement: e.TOCSIN_DECT_CONFIRM,
      triggers,
      locations,
      messageRules,
      environment: e.TOCSIN_DECT_ENVIRONMENT,
      onDuty: e.TOCSIN_DECT_ON_DUTY?.split(',').map((n) => n.trim()) ?? [],
    },
  };
}
