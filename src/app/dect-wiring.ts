/**
 * Wires the Mitel SIP-DECT adapter (adapters/dect) into the running app: the AXI link with the
 * shared TLS settings, the durable ledger in the store, and the sink that turns handset news
 * into runtime calls. Part of the composition root: only src/app builds concrete objects.
 *
 * - Recipients: `device:<number>` (or `device:dect:<number>`) is that handset; a Tocsin login
 *   is the user's `phone` (the DECT number, as on the guidelines' user form); anything else has
 *   no handset, so its notification fails at once and the plan escalates.
 * - Handsets on duty (TOCSIN_DECT_ON_DUTY, or a user present in a presence-tracked group)
 *   switched off or out of range raise the DECT environment's supervision alarm type, once per
 *   episode, as `supervision-dect-<number>-…` from source `supervision`/`dect:<number>`.
 * - Handset alarms: raised by the Tocsin user whose phone is the handset (else by the device).
 * - Supervision: every link event counts in `tocsin_supervision_events_total{reason="dect-…"}`.
 *   `link-down`, `login-refused` and `subscription-refused` raise the `default` environment's
 *   supervision alarm type, when it names one, once per outage; `link-up` signals `LINK_UP` to
 *   the supervision alarms of the link, so a plan can end them.
 */
import { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { DectSink } from '../../adapters/dect/dect-adapter-options.ts';
import { ALARM_SERVER_SUBSCRIPTIONS } from '../../adapters/dect/dect-transport.ts';
import { HANDSET_NUMBER } from '../domain/handsets.ts';
import { loginKey } from '../domain/identity.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { Logger, RuntimeObserver } from '../runtime/observer.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import type { DectConfig } from './dect-config.ts';
import { linkSupervision } from './link-supervision.ts';
import { tlsOptions, type TlsSettings } from './tls.ts';

export interface DectWiring {
  readonly config: DectConfig;
  readonly tls: TlsSettings;
  readonly store: KyselyAlarmStore;
  readonly directory: Directory;
  readonly runtime: () => AlarmRuntime | undefined;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly observer: RuntimeObserver;
}

/** The handset address of a recipient, or undefined (see the file comment). */
export async function handsetAddress(store: KyselyAlarmStore, recipient: string): Promise<string | undefined> {
  if (recipient.startsWith('device:')) {
    const n = recipient.slice('device:'.length).replace(/^dect:/, '');
    return HANDSET_NUMBER.test(n) ? `tel:${n}` : undefined;
  }
  if (recipient.includes(':')) return undefined;
  const user = await store.identity.findUserByLoginKey(loginKey(recipient));
  const number = user?.phone?.replace(/[\s()./-]/g, '');
  return number && HANDSET_NUMBER.test(number) ? `tel:${number}` : undefined;
}

/** The login name of the Tocsin user whose phone is handset `tel:<n>` (first by login name), if any. */
export async function userOfHandset(store: KyselyAlarmStore, address: string): Promise<string | undefined> {
  const number = address.replace(/^tel:/, '');
  if (!HANDSET_NUMBER.test(number)) return undefined;
  const users = await store.identity.listUsers();
  return users
    .filter((u) => u.phone?.replace(/[\s()./-]/g, '') === number)
    .map((u) => u.loginName)
    .sort()[0];
}

export function createDectChannel(w: DectWiring): DectAdapter {
  const { config: c, logger } = w;
  const system = { kind: 'system', id: 'dect' } as const;
  const runtime = () => {
    const r = w.runtime();
    if (!r) throw new Error('the runtime is not running yet');
    return r;
  };
  const sink: DectSink = {
    respond: (alarmId, response, by, device) =>
      runtime().respond(alarmId, response, by, { kind: 'device', id: device }),
    delivered: async (alarmId, notificationId) => {
      await w.store.markNotification(alarmId, notificationId, { status: 'delivered', at: w.clock.now() });
    },
    failed: async (alarmId, notificationId, reason) => {
      await runtime().deliveryFailed(alarmId, notificationId, reason, false);
    },
    alarm: async (a) => {
      // The person who pressed the key: the Tocsin user whose phone is this handset. The
      // protocol records them as the raising actor (pseudonymised like every user actor).
      const user = a.fromAddr ? await userOfHandset(w.store, a.fromAddr) : undefined;
      await runtime().raise(
        {
          type: a.alarmType,
          text: a.text,
          location: a.location,
          source: { adapter: 'dect', device: a.fromAddr ?? `ppn:${a.ppn}` },
          id: a.id,
        },
        user ? { kind: 'user', id: user } : { kind: 'device', id: `dect:${a.fromAddr ?? `ppn:${a.ppn}`}` },
      );
    },
    // A handset on duty switched off or out of range: the handset's own supervision alarm
    // (once per episode); `back` signals LINK_UP to it, so a plan can end it.
    handset: (kind, number, detail) => {
      w.observer.supervision?.(`dect-handset-${kind}`);
      const source = { adapter: 'supervision', device: `dect:${number}` } as const;
      if (kind === 'back') {
        void runtime()
          .signalSource(source, 'LINK_UP', system)
          .catch((err: unknown) => logger.warn({ err }, 'could not signal LINK_UP'));
        return;
      }
      void (async () => {
        const env = (await w.directory.current()).environment(c.environment);
        if (!env?.supervisionAlarmType) return;
        await runtime().raise(
          {
            type: env.supervisionAlarmType,
            text: `DECT handset ${number}: ${kind} (${detail})`,
            source,
            id: `supervision-dect-${number}-${Math.floor(w.clock.now() / 1000)}`,
          },
          system,
        );
      })().catch((err: unknown) => logger.error({ err }, 'could not raise the DECT handset alarm'));
    },
    supervision: linkSupervision({
      link: 'dect',
      title: `DECT link to ${c.host}:${c.port}`,
      environment: 'default',
      directory: w.directory,
      runtime,
      clock: w.clock,
      logger,
      observer: w.observer,
    }),
  };
  if (!c.tls) logger.warn({ host: c.host, port: c.port }, 'OM AXI over plain TCP: for debugging only');
  return new DectAdapter({
    link: {
      host: c.host,
      port: c.port,
      ...(c.tls
        ? {
            tls: {
              ...tlsOptions(w.tls),
              ...(c.fingerprint ? { pinSha256: c.fingerprint } : {}),
              ...(c.ca ? { ca: c.ca } : {}),
            },
          }
        : {}),
      username: c.username,
      password: c.password,
      subscriptions: ALARM_SERVER_SUBSCRIPTIONS,
    },
    ledger: w.store.deviceMessages,
    sink,
    addressOf: (r) => handsetAddress(w.store, r),
    profileOf: async (id) => (await w.directory.current()).profile(id),
    now: () => w.clock.now(),
    fromAddr: c.fromAddr,
    fromName: c.fromName,
    confirmElement: c.confirmElement,
    triggers: c.triggers,
    locations: c.locations,
    messageRules: c.messageRules,
    // On duty: a fixed post (TOCSIN_DECT_ON_DUTY), or the handset of a user present in a
    // presence-tracked group.
    onDuty: async (number) => {
      if (c.onDuty?.includes(number)) return true;
      const present = new Set(Object.values((await w.directory.current()).presence()).flat());
      if (present.has(`device:${number}`) || present.has(`device:dect:${number}`)) return true;
      const user = await userOfHandset(w.store, `tel:${number}`);
      return user !== undefined && present.has(user);
    },
    log: (level, msg, fields) => logger[level](fields ?? {}, msg),
  });
}
