// Embedded mode (PGlite on disk, in-process scheduler) survives a crash: Tocsin is SIGKILLed
// while every alarm waits on a level timer; a new process on the same data directory takes
// over the stale lock, fires the overdue timers (recording how late), and finishes every
// escalation with each notification sent exactly once. A second process on a data directory
// in use is refused and leaves the running one and its data intact.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import {
  countKeys,
  getAlarm,
  getProtocol,
  journalSends,
  killAllTocsins,
  launchTocsin,
  notificationKey,
  raiseAlarms,
  readJournal,
  spawnTocsin,
  waitFor,
  type TocsinChild,
} from '../support/child.ts';

const LEVEL_TIMEOUT_MS = 6000;
const ALARMS = 5;

const fileConfig = {
  groups: { A: ['a1', 'a2'], B: ['b1'] },
  alarmTypes: [
    { id: 'crash', name: 'Crash test', priority: 1, params: { levelTimeoutMs: LEVEL_TIMEOUT_MS, rounds: 2 } },
  ],
};

/** Every send of one alarm, in plan order: round 0 (A then B), round 1 (A then B). */
const expectedKeys = (id: string): string[][] => [
  [notificationKey(id, 'A', 0, 'a1'), notificationKey(id, 'A', 0, 'a2')],
  [notificationKey(id, 'B', 0, 'b1')],
  [notificationKey(id, 'A', 1, 'a1'), notificationKey(id, 'A', 1, 'a2')],
  [notificationKey(id, 'B', 1, 'b1')],
];

let tmp: string | undefined;
afterEach(async () => {
  await killAllTocsins();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('embedded mode: crash and restart', () => {
  it(
    'SIGKILL with pending level timers: a restart on the same data dir fires them late, exactly once',
    { timeout: 180_000 },
    async () => {
      tmp = mkdtempSync(join(tmpdir(), 'tocsin-crash-embedded-'));
      const dataDir = join(tmp, 'data');
      const configPath = join(tmp, 'tocsin.json');
      writeFileSync(configPath, JSON.stringify(fileConfig));
      const journalPath = join(dataDir, 'loopback-journal.jsonl'); // the embedded default
      const lockPath = join(dataDir, 'tocsin.lock');
      const env = {
        TOCSIN_DATA_DIR: dataDir,
        TOCSIN_CONFIG: configPath,
        TOCSIN_RECONCILE_INTERVAL_MS: '500',
        TOCSIN_LOG_LEVEL: 'warn',
      };
      const journal = () => readJournal(journalPath);
      const explainJournal = () => `journal:\n${readFileSync(journalPath, 'utf8')}`;

      // 1. First process: raise alarms, wait for group A, check every alarm waits on a timer.
      const first = await spawnTocsin({ env });
      assert.equal(first.mode, 'embedded');
      assert.equal(readFileSync(lockPath, 'utf8').trim(), String(first.pid));
      const ids = await raiseAlarms(first.url, 'crash', ALARMS);
      await waitFor(() => ids.every((id) => journalSends(journal(), id).length === 2), {
        what: `group A notified for all ${ALARMS} alarms`,
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
        assert.equal(a.pendingTimers[0]!.event, 'xstate.after.levelTimeout.escalate.levelA');
        dueAt.set(id, Date.parse(a.pendingTimers[0]!.dueAt));
      }

      // 2. Crash. The lock file stays behind, naming a dead process.
      first.kill('SIGKILL');
      assert.equal((await first.waitForExit()).signal, 'SIGKILL');
      const killedAt = Date.now();
      assert.equal(readFileSync(lockPath, 'utf8').trim(), String(first.pid), 'the killed process left its lock');
      const lastDue = Math.max(...dueAt.values());
      await waitFor(() => Date.now() > lastDue, { what: 'every level timer to be overdue', timeoutMs: 10_000 });

      // 3. Restart on the same data dir: the stale lock is taken over.
      const restartedAt = Date.now();
      const second = await spawnTocsin({ env });
      assert.equal(readFileSync(lockPath, 'utf8').trim(), String(second.pid), 'the new process took the lock over');

      // 4. A further process on the same data dir while `second` runs is refused.
      const third = launchTocsin({ env });
      const refused = await third.waitForExit(30_000);
      assert.ok(
        refused.code === 1 || refused.code === 2,
        `refused with exit code 1 or 2, got ${JSON.stringify(refused)}\n${third.describe()}`,
      );
      assert.match(third.stderr() + third.stdout(), /in use/, third.describe());
      assert.equal(
        readFileSync(lockPath, 'utf8').trim(),
        String(second.pid),
        'the refused process left the lock alone',
      );

      // 5. Every alarm finishes both rounds and ends unanswered.
      await waitFor(
        async () => {
          if (!ids.every((id) => journalSends(journal(), id).length === 6)) return false;
          const alarms = await Promise.all(ids.map((id) => getAlarm(second.url, id)));
          return alarms.every((a) => a.state === 'unanswered' && a.pendingTimers.length === 0);
        },
        {
          what: 'both rounds (6 sends) and state unanswered for every alarm',
          children: [second],
          explain: explainJournal,
        },
      );

      const all = journal();
      for (const [key, n] of countKeys(all)) assert.equal(n, 1, `${key} journalled ${n} times`);
      assert.deepEqual(
        all.filter((d) => d.op === 'withdraw'),
        [],
        'nothing withdrawn: nobody accepted',
      );
      for (const id of ids) {
        const sends = journalSends(all, id);
        const levels = expectedKeys(id);
        assert.deepEqual(sends.map((d) => d.key).sort(), levels.flat().sort(), `${id}: exactly the six sends`);
        // Level by level, in order; group A of round 0 before the crash, everything else after.
        const pos = (k: string) => sends.findIndex((d) => d.key === k);
        for (let l = 1; l < levels.length; l++) {
          assert.ok(
            Math.min(...levels[l]!.map(pos)) > Math.max(...levels[l - 1]!.map(pos)),
            `${id}: level ${l} after level ${l - 1}`,
          );
        }
        for (const d of sends) {
          if (levels[0]!.includes(d.key)) assert.ok(d.at < killedAt, `${d.key} sent before the crash`);
          else assert.ok(d.at >= restartedAt, `${d.key} sent after the restart`);
        }

        const a = await getAlarm(second.url, id);
        assert.equal(a.status, 'active');
        assert.deepEqual(
          a.recipients.map((n) => `${n.notificationId}:${n.status}`).sort(),
          ['A.0.a1', 'A.0.a2', 'A.1.a1', 'A.1.a2', 'B.0.b1', 'B.1.b1'].map((n) => `${n}:sent`),
        );

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
        // The timer the crash interrupted fired after the restart, overdue, with its true lateness.
        const overdue = timers[0]!;
        assert.ok(Date.parse(overdue.at) >= restartedAt, `${id}: the interrupted timer fired after the restart`);
        assert.ok((overdue.lateMs ?? 0) > 0, `${id}: the interrupted timer was late`);
        assert.equal(overdue.lateMs, Date.parse(overdue.at) - dueAt.get(id)!, `${id}: lateMs = firedAt − dueAt`);
      }

      // 6. A clean stop releases the lock; the data reads back intact.
      const stopped = await second.stop();
      assert.deepEqual(stopped, { code: 0, signal: null }, second.describe());
      assert.equal(existsSync(lockPath), false, 'a clean stop removes the lock');
      const fourth: TocsinChild = await spawnTocsin({ env });
      for (const id of ids) {
        const a = await getAlarm(fourth.url, id);
        assert.equal(a.state, 'unanswered');
        const p = await getProtocol(fourth.url, id);
        assert.deepEqual(p.chain, { ok: true });
        assert.deepEqual(
          p.entries.map((e) => e.kind),
          ['raised', 'timer', 'timer', 'timer', 'timer'],
          `${id}: raise + 4 timeouts`,
        );
        assert.equal(a.seq, 5);
      }
      assert.deepEqual(await fourth.stop(), { code: 0, signal: null }, fourth.describe());
      assert.equal(readJournal(journalPath).length, all.length, 'no send after the restart of a finished escalation');
    },
  );
});
