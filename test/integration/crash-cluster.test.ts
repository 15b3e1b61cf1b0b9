// @requires: postgres, redis
// Cluster mode (PostgreSQL + BullMQ on Redis) as real processes: a node SIGKILLed while every
// alarm waits on a level timer loses nothing, a new node fires the overdue timers (recording
// how late) and finishes every escalation with each notification sent exactly once; and when
// Redis loses the queue, the reconciler restores the timers from the database.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  countKeys,
  getAlarm,
  getProtocol,
  journalSends,
  killAllTocsins,
  notificationKey,
  raiseAlarms,
  readJournal,
  spawnTocsin,
  waitFor,
} from '../support/child.ts';
import { dropSchema, pgUrl, redisUrl, uniqueName } from '../support/services.ts';

const fileConfig = {
  groups: { A: ['a1', 'a2'], B: ['b1'] },
  alarmTypes: [
    { id: 'crash', name: 'Crash test', priority: 1, params: { levelTimeoutMs: 6000, rounds: 2 } },
    { id: 'flush', name: 'Redis flush test', priority: 1, params: { levelTimeoutMs: 3000, rounds: 1 } },
  ],
};

interface Setup {
  readonly tmp: string;
  readonly schema: string;
  readonly prefix: string;
  readonly journalPath: string;
  readonly env: Record<string, string>;
}

const setups: Setup[] = [];

function setup(): Setup {
  const tmp = mkdtempSync(join(tmpdir(), 'tocsin-crash-cluster-'));
  const configPath = join(tmp, 'tocsin.json');
  writeFileSync(configPath, JSON.stringify(fileConfig));
  const schema = uniqueName('crash');
  const prefix = `{${uniqueName('q')}}`;
  const journalPath = join(tmp, 'loopback-journal.jsonl');
  const s: Setup = {
    tmp,
    schema,
    prefix,
    journalPath,
    env: {
      TOCSIN_DATABASE_URL: pgUrl(),
      TOCSIN_REDIS_URL: redisUrl(),
      TOCSIN_DB_SCHEMA: schema,
      TOCSIN_QUEUE_PREFIX: prefix,
      TOCSIN_CONFIG: configPath,
      TOCSIN_LOOPBACK_JOURNAL: journalPath,
      TOCSIN_DATA_DIR: join(tmp, 'data'), // unused in cluster mode; keeps ./data out of the repo
      TOCSIN_RECONCILE_INTERVAL_MS: '500',
      TOCSIN_LOG_LEVEL: 'warn',
    },
  };
  setups.push(s);
  return s;
}

/** Deletes every Redis key under `prefix` (SCAN + DEL: FLUSHDB for this queue only); returns their names. */
async function deleteQueueKeys(prefix: string): Promise<string[]> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  try {
    const deleted: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) {
        await redis.del(...keys);
        deleted.push(...keys);
      }
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Rows of the timers table of one alarm, oldest first. */
async function timerRows(
  schema: string,
  alarmId: string,
): Promise<{ id: string; status: string; late_ms: number | null }[]> {
  const c = new pg.Client({ connectionString: pgUrl() });
  await c.connect();
  try {
    const r = await c.query(
      `select id, status, late_ms from "${schema}".timers where alarm_id = $1 order by created_seq, id`,
      [alarmId],
    );
    return r.rows;
  } finally {
    await c.end();
  }
}

afterEach(async () => {
  await killAllTocsins();
  for (const s of setups.splice(0)) {
    await dropSchema(s.schema).catch((err: unknown) => console.error(`drop schema ${s.schema}: ${String(err)}`));
    await deleteQueueKeys(s.prefix).catch((err: unknown) => console.error(`delete ${s.prefix}*: ${String(err)}`));
    rmSync(s.tmp, { recursive: true, force: true });
  }
});

/** Per alarm: the keys of each level in plan order. */
const levelKeys = (id: string, rounds: number): string[][] =>
  Array.from({ length: rounds }, (_, round) => [
    [notificationKey(id, 'A', round, 'a1'), notificationKey(id, 'A', round, 'a2')],
    [notificationKey(id, 'B', round, 'b1')],
  ]).flat();

/** Exactly the expected sends of `id`, level after level, each key once in the whole journal. */
function assertSends(journalPath: string, id: string, rounds: number) {
  const all = readJournal(journalPath);
  for (const [key, n] of countKeys(all)) assert.equal(n, 1, `${key} journalled ${n} times`);
  const sends = journalSends(all, id);
  const levels = levelKeys(id, rounds);
  assert.deepEqual(sends.map((d) => d.key).sort(), levels.flat().sort(), `${id}: exactly the expected sends`);
  const pos = (k: string) => sends.findIndex((d) => d.key === k);
  for (let l = 1; l < levels.length; l++) {
    assert.ok(
      Math.min(...levels[l]!.map(pos)) > Math.max(...levels[l - 1]!.map(pos)),
      `${id}: level ${l} after level ${l - 1}`,
    );
  }
  assert.deepEqual(
    all.filter((d) => d.op === 'withdraw' && d.alarmId === id),
    [],
    `${id}: nothing withdrawn`,
  );
  return sends;
}

describe('cluster mode: crash and restart', () => {
  it(
    'SIGKILL with pending level timers: a new node fires them late, every send exactly once',
    { timeout: 90_000 },
    async () => {
      const s = setup();
      const explainJournal = () => `journal:\n${readFileSync(s.journalPath, 'utf8')}`;

      // 1. First node: raise alarms, wait for group A, check every alarm waits on a timer.
      const first = await spawnTocsin({ env: s.env });
      assert.equal(first.mode, 'cluster');
      const ids = await raiseAlarms(first.url, 'crash', 5);
      await waitFor(() => ids.every((id) => journalSends(readJournal(s.journalPath), id).length === 2), {
        what: 'group A notified for all 5 alarms',
        children: [first],
        explain: explainJournal,
      });
      // The journal line is written before the row is marked sent: wait for the rows too, so
      // the crash happens between steps, with nothing but the level timers outstanding.
      await waitFor(
        async () => {
          const alarms = await Promise.all(ids.map((id) => getAlarm(first.url, id)));
          return alarms.every((a) => a.recipients.length === 2 && a.recipients.every((n) => n.status === 'sent'));
        },
        { what: 'group A notifications marked sent', children: [first] },
      );
      const dueAt = new Map<string, number>();
      for (const id of ids) {
        const a = await getAlarm(first.url, id);
        assert.equal(a.state, 'levelA', `${id} before the crash`);
        assert.equal(a.pendingTimers.length, 1, `${id} has one pending level timer before the crash`);
        dueAt.set(id, Date.parse(a.pendingTimers[0]!.dueAt));
      }

      // 2. Crash, and let every level timer fall due with no node running.
      first.kill('SIGKILL');
      assert.equal((await first.waitForExit()).signal, 'SIGKILL');
      const killedAt = Date.now();
      for (const id of ids) {
        assert.deepEqual(
          (await timerRows(s.schema, id)).map((t) => t.status),
          ['pending'],
          `${id}: the level timer row is still pending after the crash`,
        );
      }
      const lastDue = Math.max(...dueAt.values());
      await waitFor(() => Date.now() > lastDue, { what: 'every level timer to be overdue', timeoutMs: 10_000 });

      // 3. A new node on the same database, queue and journal finishes every escalation.
      const restartedAt = Date.now();
      const second = await spawnTocsin({ env: s.env });
      await waitFor(
        async () => {
          if (!ids.every((id) => journalSends(readJournal(s.journalPath), id).length === 6)) return false;
          const alarms = await Promise.all(ids.map((id) => getAlarm(second.url, id)));
          return alarms.every((a) => a.state === 'unanswered' && a.pendingTimers.length === 0);
        },
        {
          what: 'both rounds (6 sends) and state unanswered for every alarm',
          children: [second],
          explain: explainJournal,
        },
      );

      for (const id of ids) {
        const sends = assertSends(s.journalPath, id, 2);
        const firstLevel = new Set(levelKeys(id, 2)[0]);
        for (const d of sends) {
          if (firstLevel.has(d.key)) assert.ok(d.at < killedAt, `${d.key} sent before the crash`);
          else assert.ok(d.at >= restartedAt, `${d.key} sent after the restart`);
        }

        const p = await getProtocol(second.url, id);
        assert.deepEqual(p.chain, { ok: true }, `${id}: protocol hash chain`);
        const timers = p.entries.filter((e) => e.kind === 'timer');
        assert.deepEqual(
          timers.map((e) => `${e.fromState}→${e.toState}`),
          ['levelA→levelB', 'levelB→levelA', 'levelA→levelB', 'levelB→unanswered'],
          `${id}: four level timeouts`,
        );
        for (const e of timers) {
          assert.equal(typeof e.lateMs, 'number', `${id} seq ${e.seq}: lateMs recorded`);
          assert.match(e.note, new RegExp(`fired ${e.lateMs} ms late \\(via (scheduler|reconciler)\\)`));
        }
        const overdue = timers[0]!;
        assert.ok(Date.parse(overdue.at) >= restartedAt, `${id}: the interrupted timer fired after the restart`);
        assert.ok((overdue.lateMs ?? 0) > 0, `${id}: the interrupted timer was late`);
        assert.equal(overdue.lateMs, Date.parse(overdue.at) - dueAt.get(id)!, `${id}: lateMs = firedAt − dueAt`);
        const rows = await timerRows(s.schema, id);
        assert.deepEqual(
          rows.map((t) => t.status),
          ['fired', 'fired', 'fired', 'fired'],
          `${id}: timer rows`,
        );
      }

      // 4. SIGTERM stops the node cleanly.
      assert.deepEqual(await second.stop(), { code: 0, signal: null }, second.describe());
    },
  );

  it(
    'Redis flushed while timers are pending → the reconciler restores them from the database',
    { timeout: 90_000 },
    async () => {
      const s = setup();
      const explainJournal = () => `journal:\n${readFileSync(s.journalPath, 'utf8')}`;
      const node = await spawnTocsin({ env: s.env });
      const ids = await raiseAlarms(node.url, 'flush', 3);
      await waitFor(() => ids.every((id) => journalSends(readJournal(s.journalPath), id).length === 2), {
        what: 'group A notified for all 3 alarms',
        children: [node],
        explain: explainJournal,
      });
      const pending = new Map<string, string>();
      for (const id of ids) {
        const a = await getAlarm(node.url, id);
        assert.equal(a.state, 'levelA');
        assert.equal(a.pendingTimers.length, 1);
        pending.set(id, a.pendingTimers[0]!.id);
      }

      // Redis loses the queue: every delayed job is gone.
      const deleted = await deleteQueueKeys(s.prefix);
      for (const [id, timerId] of pending) {
        assert.ok(
          deleted.some((k) => k.includes(timerId)),
          `${id}: the job of ${timerId} was in Redis and is deleted (${deleted.join(', ')})`,
        );
      }

      // Every alarm still escalates to B exactly once, then its B timer too ends the round.
      await waitFor(
        async () => {
          if (!ids.every((id) => journalSends(readJournal(s.journalPath), id).length === 3)) return false;
          const alarms = await Promise.all(ids.map((id) => getAlarm(node.url, id)));
          return alarms.every((a) => a.state === 'unanswered' && a.pendingTimers.length === 0);
        },
        { what: 'group B notified and state unanswered for every alarm', children: [node], explain: explainJournal },
      );
      for (const id of ids) {
        assertSends(s.journalPath, id, 1);
        const p = await getProtocol(node.url, id);
        assert.deepEqual(p.chain, { ok: true }, `${id}: protocol hash chain`);
        const timers = p.entries.filter((e) => e.kind === 'timer');
        assert.deepEqual(
          timers.map((e) => `${e.fromState}→${e.toState}`),
          ['levelA→levelB', 'levelB→unanswered'],
          `${id}: escalated to B exactly once`,
        );
        for (const e of timers) assert.match(e.note, /ms late \(via (scheduler|reconciler)\)/);
        const rows = await timerRows(s.schema, id);
        assert.equal(rows[0]!.id, pending.get(id));
        assert.deepEqual(
          rows.map((t) => t.status),
          ['fired', 'fired'],
          `${id}: timer rows`,
        );
      }
      assert.deepEqual(await node.stop(), { code: 0, signal: null }, node.describe());
    },
  );
});
