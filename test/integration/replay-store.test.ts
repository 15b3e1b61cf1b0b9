// @requires: postgres
// The whole golden corpus written into real PostgreSQL (a schema of its own) and into PGlite,
// then replayed through ReplayService as the API and the CLI do: the stored protocol (jsonb
// reorders keys; timestamps round-trip through timestamptz) still verifies and reproduces, and
// what-if under each alarm's own plan finds no difference. (Forged histories: test/smoke/replay-api.test.ts.)
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { PlanRef } from '../../src/domain/alarm.ts';
import { PlanCatalog } from '../../src/runtime/plan-catalog.ts';
import { ReplayService } from '../../src/runtime/replay-service.ts';
import { GOLDEN_DIR, GOLDEN_KEY, importGolden, loadGolden } from '../fixtures/golden/import.ts';
import { freshPgStore, memoryStore, type TestStore } from '../support/services.ts';

const files = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

for (const [name, open] of [
  ['PostgreSQL', freshPgStore],
  ['PGlite', memoryStore],
] as const) {
  describe(`replay over the ${name} store`, () => {
    let t: TestStore | undefined;
    after(async () => t?.cleanup());

    it('every golden history, written and read back, replays and what-ifs unchanged under its own plan', async () => {
      t = await open();
      const store = t.store;
      await store.pseudonymKey(GOLDEN_KEY);
      const histories = files.map(loadGolden);
      for (const h of histories) await importGolden(store, h);
      const service = new ReplayService(store, new PlanCatalog(store));
      for (const h of histories) {
        const v = await service.replayAlarm(h.alarm.id);
        assert.equal(v.ok, true, `${h.alarm.id}: ${JSON.stringify(v)}`);
        const alarm = await service.alarm(h.alarm.id);
        const report = await service.whatIf(h.plan.ref as PlanRef, [alarm], alarm.facts.raisedAt + 7 * 24 * 3_600_000);
        assert.deepEqual(report.summary.changed + report.summary.failed, 0, `${h.alarm.id}: ${JSON.stringify(report)}`);
      }
    });
  });
}
