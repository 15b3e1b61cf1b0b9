/**
 * `GET /api/v1/alarms/events`: the live board's server-sent events (no polling).
 *
 * On connect: `event: snapshot` with `{"alarms": [AlarmView, …]}`, the caller's active alarms
 * (newest 200). Then `event: alarm` with the AlarmView (the JSON of `GET /api/v1/alarms/{id}`)
 * each time one of the caller's alarms changes, ended ones included; `: ping` every 15 s.
 *
 * Changes come from the store's change feed (PostgreSQL NOTIFY, from any node). Per client,
 * alarms waiting to be sent are a set (an alarm that changes five times while the client is
 * slow is sent once, as it is then), so a slow client costs memory bounded by the number of
 * alarms, never by the number of changes; past 1 000 waiting the stream starts over with a new
 * snapshot. Nothing is sent about an alarm of an environment the caller does not act in.
 */
import { once } from 'node:events';
import type { Context, Middleware } from 'koa';
import { inScope, storeFilter, type EnvironmentScope } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { ChangeFeed } from '../runtime/alarm-watch.ts';
import { alarmView } from './alarm-view.ts';

const PING_MS = 15_000;
const MAX_WAITING = 1_000;
const SNAPSHOT_LIMIT = 200;

export function alarmEvents(d: {
  readonly store: AlarmStore;
  readonly feed: ChangeFeed | undefined;
  readonly scope: (ctx: Context) => EnvironmentScope;
}): Middleware {
  return async (ctx) => {
    const { store, feed } = d;
    if (!feed) throw new TocsinError('unavailable', 'live events are not available on this server');
    const scope = d.scope(ctx);
    const environments = storeFilter(scope);
    const res = ctx.res;
    const waiting = new Set<string>();
    let resync = false;
    let busy = true; // until the snapshot is out
    let closed = false;

    const write = async (chunk: string): Promise<void> => {
      if (closed) return;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    };
    const event = (name: string, data: unknown) => write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const snapshot = async () => {
      const alarms = await store.listAlarms({
        status: 'active',
        limit: SNAPSHOT_LIMIT,
        ...(environments ? { environments } : {}),
      });
      await event('snapshot', { alarms: await Promise.all(alarms.map((a) => alarmView(store, a))) });
    };
    const flush = async (): Promise<void> => {
      if (busy || closed) return;
      busy = true;
      try {
        while (!closed && (resync || waiting.size > 0)) {
          if (resync) {
            resync = false;
            waiting.clear();
            await snapshot();
            continue;
          }
          const [id] = waiting;
          waiting.delete(id!);
          const alarm = await store.getAlarm(id!);
          if (alarm && inScope(scope, alarm.facts.environment)) await event('alarm', await alarmView(store, alarm));
        }
      } catch {
        close(); // the database is gone: the client reconnects (EventSource does) and gets a snapshot
      } finally {
        busy = false;
      }
    };
    // Listen before the snapshot, so that nothing between the two is missed.
    const unlisten = await feed.listenChanges((alarmId) => {
      if (alarmId === '*' || waiting.size >= MAX_WAITING) resync = true;
      else waiting.add(alarmId);
      void flush();
    });
    const ping = setInterval(() => void write(': ping\n\n'), PING_MS);
    ping.unref();
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      void unlisten();
      res.end();
    };
    res.on('close', close);
    res.on('error', close);

    // Written here, not by Koa: a client going away is the normal end of a stream, not an error.
    ctx.respond = false;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    res.writeHead(200, {
      ...ctx.response.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    try {
      await write('retry: 2000\n\n');
      await snapshot();
    } catch (err) {
      close();
      throw err;
    }
    busy = false;
    void flush();
  };
}
