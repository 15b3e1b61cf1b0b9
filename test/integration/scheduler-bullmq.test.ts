// @requires: redis
// Runs the Scheduler conformance suite against BullMQ on a real Redis, plus the BullMQ
// specifics (id validation, failed jobs, a dead Redis). Every harness gets its own queue
// name under a per-run prefix, so parallel runs never collide.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { BullMqScheduler } from '../../src/scheduler/bullmq-scheduler.ts';
import { SystemClock } from '../../src/scheduler/system-clock.ts';
import { schedulerConformance, waitFor, type SchedulerHarness } from './scheduler-conformance.ts';

const redisUrl = process.env.TOCSIN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{tocsin-test-${randomUUID().slice(0, 8)}}`;

/** A harness on a fresh queue; `attempts` is passed through to every instance. */
async function makeHarness(attempts?: number): Promise<SchedulerHarness> {
  const clock = new SystemClock();
  const queueName = `timers-${randomUUID().slice(0, 8)}`;
  const open = (): BullMqScheduler =>
    new BullMqScheduler({ redisUrl, queueName, prefix, clock, ...(attempts ? { attempts } : {}) });
  const instances = [open()];
  return {
    scheduler: instances[0]!,
    clock,
    async reopen() {
      const s = open();
      instances.push(s);
      return s;
    },
    async cleanup() {
      for (const s of instances) await s.stop();
      const admin = new Queue(queueName, { connection: { url: redisUrl }, prefix });
      try {
        await admin.obliterate({ force: true });
      } finally {
        await admin.close();
      }
    },
  };
}

schedulerConformance('bullmq', () => makeHarness(), { durableAcrossInstances: true });

describe('BullMqScheduler specifics', () => {
  it('rejects ids BullMQ cannot store, before touching Redis', async () => {
    const h = await makeHarness();
    try {
      // Table: [id, why it is invalid]
      const cases: ReadonlyArray<readonly [string, string]> = [
        ['t-a:1-1-0', 'contains a colon'],
        ['12345', 'all digits'],
        ['', 'empty'],
      ];
      for (const [id, why] of cases) {
        await assert.rejects(h.scheduler.schedule({ id, alarmId: 'a', dueAt: h.clock.now() }), /invalid timer id/, why);
      }
    } finally {
      await h.cleanup();
    }
  });

  it('re-arms an id whose job failed all its attempts', async () => {
    const h = await makeHarness(1);
    try {
      let calls = 0;
      await h.scheduler.start(async () => {
        calls++;
        if (calls === 1) throw new Error('planned failure');
      });
      const timer = { id: 't-failed-1-0', alarmId: 'failed', dueAt: h.clock.now() };
      await h.scheduler.schedule(timer);
      await waitFor(async () => calls === 1 && !(await h.scheduler.isArmed(timer.id)), {
        what: 'the only attempt to fail',
      });
      // Without the re-arm, BullMQ would silently ignore this add: the failed job holds the id.
      await h.scheduler.schedule(timer);
      await waitFor(() => calls === 2, { what: 'the re-armed timer' });
    } finally {
      await h.cleanup();
    }
  });

  it('ping() and schedule() reject, and stop() returns, when Redis is unreachable', async () => {
    const s = new BullMqScheduler({ redisUrl: 'redis://127.0.0.1:1', queueName: 'down', prefix });
    await assert.rejects(s.ping());
    await assert.rejects(s.schedule({ id: 't-down-1-0', alarmId: 'down', dueAt: 0 }));
    await s.stop();
  });
});
