// @requires: postgres
// Two Tocsin processes on one PostgreSQL send events for the same alarms at the same moment:
// the seq compare-and-set must serialise them so that no event is lost and none is applied
// twice, and every alarm's protocol stays one gap-free hash chain.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import { pseudonymsIn, resolveDeep } from '../../src/runtime/pseudonyms.ts';
import { verifyChain } from '../../src/runtime/protocol-hash.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { contendedConfig } from '../fixtures/contender-config.ts';
import { freshPgStore, pgUrl, type TestStore } from '../support/services.ts';

const COUNT = 120;
let db: TestStore;
let h: Harness;
const children: ChildProcess[] = [];

before(async () => {
  db = await freshPgStore();
  // The contenders run on the system clock; this process starts from the same time so that no
  // timer looks overdue to them (the alarm type's level timeout is days long).
  h = await startHarness({ store: db.store, clock: new VirtualClock(Date.now()), file: contendedConfig });
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h.stop(); // closes the store
  await db.cleanup();
});

function contender(name: string, alarms: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/contender.ts'], {
    env: {
      ...process.env,
      DB_URL: pgUrl(),
      DB_SCHEMA: db.schema,
      ALARMS: alarms.join(','),
      COUNT: String(COUNT),
      NAME: name,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => l === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  const result = new Promise<{ name: string; failures: string[]; conflicts: number }>((resolve, reject) => {
    let last = '';
    lines.on('line', (l) => (last = l));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(last)) : reject(new Error(`${name} exited with ${code}`)),
    );
  });
  return { ready, result, go: () => child.stdin!.write('go\n') };
}

it('two processes never process one alarm concurrently and never lose an event', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await h.request('POST', '/api/v1/alarms', { type: 'contended', text: `contended ${i}` });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const p1 = contender('p1', ids);
  const p2 = contender('p2', ids);
  await Promise.all([p1.ready, p2.ready]);
  p1.go();
  p2.go();
  const results = await Promise.all([p1.result, p2.result]);
  assert.deepEqual(
    results.flatMap((r) => r.failures),
    [],
  );
  const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
  console.log(`cross-process: ${2 * COUNT * ids.length} events, ${conflicts} compare-and-set conflicts retried`);

  for (const id of ids) {
    const entries = await db.store.listProtocol(id);
    // Responders are stored as pseudonyms (issue 4, item 10): compared as the protocol API shows them.
    const shown = resolveDeep(entries, await db.store.resolvePseudonyms(pseudonymsIn(entries)));
    // seq 1 is the raise; then exactly one entry per event from each process.
    const extra = shown.slice(1).filter((e) => !/^p[12]-\d+$/.test(String((e.event as { by?: string }).by)));
    assert.deepEqual(
      extra.map((e) => [e.seq, e.kind, e.event, e.note]),
      [],
    );
    assert.equal(entries.length, 1 + 2 * COUNT);
    assert.deepEqual(verifyChain(entries), { ok: true });
    const by = shown
      .slice(1)
      .map((e) => (e.event as { by: string }).by)
      .sort();
    const expected = ['p1', 'p2'].flatMap((n) => Array.from({ length: COUNT }, (_, i) => `${n}-${i}`)).sort();
    assert.deepEqual(by, expected);
    const alarm = await db.store.getAlarm(id);
    assert.equal(alarm!.seq, 1 + 2 * COUNT);
    assert.equal(alarm!.lastHash, entries.at(-1)!.hash);
  }
});
