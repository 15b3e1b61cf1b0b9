// The `tocsin` commands that write to and read from a store, each block on a PGlite data
// directory of its own: plan publish and export, config import, export and verify, audit
// verify and export. (The cases that must never open a store are in test/unit/cli.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPgliteStore } from '../../src/store/pglite-store.ts';
import { root, runTocsin } from '../support/cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tocsin-cli-store-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const tocsin = (args: readonly string[], env: Record<string, string>) => runTocsin(args, env);

// `plan publish` and `plan export` write to and read from the configured store: here a PGlite
// data directory of their own (the cases above must leave theirs absent). In order: publish,
// then export what was published.
describe('tocsin plan publish and export', () => {
  const env = { TOCSIN_DATA_DIR: join(scratch, 'data-publish') };
  const shipped = JSON.parse(readFileSync(join(root, 'machines/plans/escalate.json'), 'utf8')) as unknown;

  // A fresh data directory: migrated, the plan is version 1 of its id; an invalid plan exits 1 first.
  it('plan publish validates, migrates and prints {id, version}', () => {
    const bad = tocsin(['plan', 'publish', 'package.json'], env);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /"ok": false/);
    assert.equal(existsSync(env.TOCSIN_DATA_DIR), false, 'an invalid plan opened the store');
    const r = tocsin(['plan', 'publish', 'machines/plans/escalate.json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { id: 'escalate', version: 1 });
  });

  // The export is the published definition with its metadata; an unknown version exits 1.
  it('plan export prints the published version', () => {
    const r = tocsin(['plan', 'export', 'escalate@1'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.definition, shipped);
    assert.equal(out.publishedBy, 'cli');
    assert.equal(out.disabledAt, null);
    const missing = tocsin(['plan', 'export', 'escalate@2'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /plan escalate@2 does not exist/);
    assert.equal(tocsin(['plan', 'export', 'escalate'], env).code, 2);
  });
});

// `config import`, `export` and `verify` against a PGlite data directory of their own: the
// imported file comes back out of export, every change is in the verified record, and a file
// whose alarm type's plan names groups nobody configured is refused with nothing written.
describe('tocsin config import, export and verify', () => {
  const env = { TOCSIN_DATA_DIR: join(scratch, 'data-config') };
  const file = JSON.parse(readFileSync(join(root, 'test/fixtures/config-ward.json'), 'utf8')) as any;

  it('imports a file, exports the same items, and verifies the change record', () => {
    const r = tocsin(['config', 'import', 'test/fixtures/config-ward.json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, items: 9, changeRecordSeq: 9 });
    const out = JSON.parse(tocsin(['config', 'export'], env).stdout);
    assert.deepEqual(
      out.alarmTypes.map((t: any) => [t.id, t.profile, t.textTemplate, t.plan]),
      [['call', 'loud', '{alarm.text} ({alarm.location})', 'escalate@1']],
    );
    assert.deepEqual(Object.keys(out.groups).sort(), Object.keys(file.groups).sort());
    assert.equal(out.groups.nurses.fallback, 'doctors');
    const v = tocsin(['config', 'verify'], env);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(JSON.parse(v.stdout), { entries: 9, ok: true });
  });

  it('refuses a file whose plan cannot run, writing nothing', () => {
    // Without groups A and B (a fresh database), escalate@1 notifies groups nobody configured.
    const fresh = { TOCSIN_DATA_DIR: join(scratch, 'data-config-fresh') };
    const broken = join(scratch, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ ...file, groups: { nurses: file.groups.nurses, doctors: file.groups.doctors } }),
    );
    const r = tocsin(['config', 'import', broken], fresh);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /alarm type 'call': plan escalate@1 at \/states\/levelA\/entry\/0\/params\/group: unknown notification group 'A'/,
    );
    assert.deepEqual(JSON.parse(tocsin(['config', 'verify'], fresh).stdout), { entries: 0, ok: true });
  });
});

// `audit verify` and `export` against a PGlite data directory of their own: an empty log
// verifies; entries written through the store (as the server writes them) verify and come back
// out of both exports, and --from/--to select by time.
describe('tocsin audit verify and export', () => {
  const env = { TOCSIN_DATA_DIR: join(scratch, 'data-audit') };
  const T = Date.UTC(2026, 10, 26, 8, 0, 0);

  it('verifies an empty log', () => {
    const r = tocsin(['audit', 'verify'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { entries: 0, ok: true });
  });

  it('verifies a written log and exports it as CSV and JSON', async () => {
    const store = await createPgliteStore({ dataDir: join(env.TOCSIN_DATA_DIR, 'pglite') });
    try {
      await store.migrate();
      await store.accessLog.append({ at: T, actor: 'admin', source: '127.0.0.1', action: 'login', outcome: 'success' });
      await store.accessLog.append({
        at: T + 60_000,
        actor: '=cmd|x',
        action: 'login',
        outcome: 'failure',
        details: { reason: 'bad password, "twice"' },
      });
    } finally {
      await store.close();
    }
    const v = tocsin(['audit', 'verify'], env);
    assert.equal(v.code, 0, v.stderr);
    const verdict = JSON.parse(v.stdout);
    assert.deepEqual({ ...verdict, head: verdict.head.seq }, { entries: 2, ok: true, head: 2 });
    assert.match(verdict.head.hash, /^[0-9a-f]{64}$/);

    const json = tocsin(['audit', 'export', '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout);
    assert.deepEqual(
      entries.map((e: any) => [e.seq, e.actor, e.outcome]),
      [
        [1, 'admin', 'success'],
        [2, '=cmd|x', 'failure'],
      ],
    );
    assert.equal(entries[1].hash, verdict.head.hash);

    const csv = tocsin(['audit', 'export', '--format', 'csv'], env);
    assert.equal(csv.code, 0, csv.stderr);
    const details = '"{""reason"":""bad password, \\""twice\\""""}"';
    assert.deepEqual(csv.stdout.split('\r\n'), [
      'seq,at,actor,source,action,outcome,target,environment,details,prev_hash,hash',
      `1,2026-11-26T08:00:00.000Z,admin,127.0.0.1,login,success,,,,${entries[0].prevHash},${entries[0].hash}`,
      `2,2026-11-26T08:01:00.000Z,'=cmd|x,,login,failure,,,${details},${entries[1].prevHash},${entries[1].hash}`,
      '',
    ]);

    // --from inclusive, --to exclusive; a date alone is midnight UTC.
    const from = tocsin(['audit', 'export', '--format', 'json', '--from', '2026-11-26T08:01:00Z'], env);
    assert.deepEqual(
      JSON.parse(from.stdout).map((e: any) => e.seq),
      [2],
    );
    const args = ['audit', 'export', '--format', 'json', '--from', '2026-11-26', '--to', '2026-11-26T09:01:00+01:00'];
    assert.deepEqual(
      JSON.parse(tocsin(args, env).stdout).map((e: any) => e.seq),
      [1],
    );
  });
});
