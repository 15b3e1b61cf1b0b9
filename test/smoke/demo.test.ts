// `tocsin demo` in-process: the OMM simulator over TLS with a pinned certificate, the ESPA 4.4.4
// nurse-call system and the ESPA-X client (over TLS, pinning Tocsin's self-signed certificate),
// Tocsin in a temporary data directory, the sample crew. The scenario and the handsets' scripted
// delays run on an injected timer that fires at once, and the run is bounded by an alarm count
// (`count`: one alarm from each interface), so nothing waits for wall-clock time: the test
// awaits the demo's own end, which comes once every alarm ended and each simulator was told the
// outcome. (The nurse-call system polls on real timers, every `espaPollMs`, as the store is
// read every `pollMs`.) Then the CLI: `tocsin demo --help` and a usage error, as a child process.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { SimSchedule } from '../../adapters/dect/dect-simulator-links.ts';
import { startDemo } from '../../src/app/demo.ts';
import { DEMO_CREW } from '../../src/app/demo-scenario.ts';
import { runTocsinAsync } from '../support/cli.ts';
import { TEST_SCRYPT } from '../support/harness.ts';

/** Every scripted delay fires on the next turn of the event loop. */
const atOnce: SimSchedule = (_ms, fn) => {
  const t = setImmediate(fn);
  return () => clearImmediate(t);
};

describe('tocsin demo', () => {
  it('a handset, a nurse call and an ESPA-X client raise alarms; Anna accepts each; the outcome goes back; it stops cleanly', async () => {
    const lines: string[] = [];
    const demo = await startDemo({
      port: 0,
      count: 3,
      schedule: atOnce,
      pollMs: 20,
      espaPollMs: 20,
      logLevel: 'silent',
      scrypt: TEST_SCRYPT,
      out: (l) => lines.push(l),
    });
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(demo.dataDir), 'a temporary data directory');
    const users = await demo.tocsin.auth.listUsers();
    for (const c of DEMO_CREW) {
      const u = users.find((x) => x.loginName === c.login);
      assert.equal(u?.phone, c.number, `${c.login} has her handset number as phone`);
      assert.equal(u?.userGroup, 'operator');
    }
    assert.ok(
      lines.some((l) => l.includes(demo.adminPassword)),
      'the admin password is printed',
    );
    assert.ok(
      lines.some((l) => l.includes(`authorization: Bearer ${demo.token}`)),
      'a curl example with the token',
    );

    const summary = await demo.done;
    const text = lines.join('\n');
    assert.equal(summary.raised, 3, text);
    assert.deepEqual(summary.from, { dect: 1, espa444: 1, espax: 1 }, text);
    assert.equal(summary.ended, 3, text);
    assert.ok(summary.accepted >= 3, text);
    assert.ok(summary.rejected >= 3, text);
    assert.match(text, /raised \((emergency|man-down)\): .* from DECT handset tel:47\d\d/);
    assert.match(text, /raised \(nurse-call\): "NURSE CALL: Room 201 bed 1" from ESPA 4\.4\.4 nurse call ward3\/201/);
    assert.match(
      text,
      /raised \(nurse-call\): "NURSE CALL: Patient call Room 12 Bed 2" from ESPA-X client NurseCall-Demo\/r12-/,
    );
    assert.match(text, /Anna \(4711\), group B: ACCEPTED on the handset/);
    assert.match(text, /Ben \(4712\), group A: rejected on the handset/);
    assert.match(text, /escalated to group B/);
    // Tocsin's notifications reached the simulated handsets: Anna's has all three alarms and she
    // confirmed them; Carla's is switched off. (Whether her failure reaches an alarm before Anna's
    // accept ends it is a race when every delay is zero, so it is not asserted from Tocsin's side.)
    assert.ok(demo.simulator.inbox(3).some((m) => m.progress.includes('TemporaryUnavailable')));
    assert.equal(demo.simulator.inbox(1).length, 3);
    assert.ok(
      demo.simulator.inbox(1).every((m) => m.confirmation !== undefined),
      'Anna confirmed all three',
    );

    // The nurse-call system got its call ACKed and heard back up to '6' acknowledged by called party.
    const espa = demo.espa!;
    const statuses = espa.nurse.received
      .filter((r) => r.block.header === '2' && r.block.records.some((x) => x.id === '1' && x.value === '201'))
      .map((r) => r.block.records.find((x) => x.id === '7')?.value);
    assert.equal(statuses[0], '2', text);
    assert.equal(statuses.at(-1), '6', text);
    assert.match(text, /ESPA 4\.4\.4 nurse call ← status for 201: 6 acknowledged by called party/);
    // The ESPA-X client: P-START accepted, IND.P-EVENT Accepted for Anna, IND.P-ENDED Finished, Positive.
    const got = espa.espax!.received;
    assert.ok(got.some((r) => r.name === 'RSP.LOGIN' && r.fields['RSP-CODE'] === '200'));
    assert.ok(got.some((r) => r.name === 'RSP.P-START' && r.fields['RSP-CODE'] === '200'));
    const accepted = got.find((r) => r.name === 'IND.P-EVENT' && r.fields['SS-RESULT'] === 'Accepted');
    assert.equal(accepted?.fields['SS-NETW-NO'], '4711', text);
    const ended = got.find((r) => r.name === 'IND.P-ENDED');
    assert.deepEqual([ended?.fields['SP-ENDREASON'], ended?.fields['SP-RESULT']], ['Finished', 'Positive']);
    assert.match(text, /ESPA-X client ← r12-\S+ \(TAN \d+\): IND\.P-EVENT Accepted \(Completed\) for Anna \(4711\)/);
    assert.match(text, /ESPA-X client ← r12-\S+ \(TAN \d+\): IND\.P-ENDED Finished, result Positive/);

    // Stopped: the links are closed, the temporary data directory is gone, stop() is idempotent.
    assert.ok(demo.simulator.links.every((l) => l.closed));
    assert.ok(espa.espax!.isClosed, 'the ESPA-X client is disconnected');
    assert.equal(espa.nurse.connected, false, 'the ESPA 4.4.4 line is closed');
    assert.equal(existsSync(demo.dataDir), false);
    assert.deepEqual(await demo.stop(), summary);
  });

  it('without the ESPA part (--no-espa) only handsets raise alarms', async () => {
    const lines: string[] = [];
    const demo = await startDemo({
      port: 0,
      count: 1,
      espa: false,
      schedule: atOnce,
      pollMs: 20,
      logLevel: 'silent',
      scrypt: TEST_SCRYPT,
      out: (l) => lines.push(l),
    });
    assert.equal(demo.espa, undefined);
    assert.equal(demo.tocsin.devices.espaxPort(), undefined, 'no ESPA-X server');
    assert.equal(demo.tocsin.devices.espa444.length, 0, 'no ESPA 4.4.4 line');
    const summary = await demo.done;
    const text = lines.join('\n');
    assert.deepEqual(summary.from, { dect: 1, espa444: 0, espax: 0 }, text);
    assert.equal(summary.ended, 1, text);
    assert.doesNotMatch(text, /ESPA/);
  });

  it('tocsin demo --help answers 0; a bad option is a usage error (2)', async () => {
    const help = await runTocsinAsync(['demo', '--help'], {});
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: tocsin demo/);
    for (const o of ['--every', '--duration', '--count', '--port', '--data-dir', '--no-espa'])
      assert.ok(help.stdout.includes(o), o);
    const bad = await runTocsinAsync(['demo', '--every', '0'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--every '0' is out of range/);
  });
});
