// The System API (src/http/system-routes.ts) on the whole app with a DECT link to the OMM
// simulator, an ESPA 4.4.4 line to a nurse-call station and the ESPA-X server with a client:
// the interfaces show up, go down when the OMM drops the link, and come back when the device
// links are restarted (the simulator sees a new Open) while an alarm raised before stays
// active; the monitor digests the metrics; the supervision alarm type of an environment is
// changed as a versioned configuration change; each route refuses a token without its
// permission; and a server restart answers 202, refuses a second one (409), stops gracefully
// and only then calls the process host's hook, once. The store is a PGlite data directory so
// that the access log can be read back after the server stopped. The simulators' timers run on
// a manual queue; waiting is for socket IO only (`settled`), never for time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import type { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { EspaxSimulator } from '../../adapters/espax/espax-simulator.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import type { RestartRequest } from '../../src/app/system-control.ts';
import { createPgliteStore } from '../../src/store/pglite-store.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';
import { startDectSim } from '../support/dect-sim.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { settled } from '../support/settled.ts';

let timers: ManualTimers;
let omm: OmmSimulator;
let nurse: EspaStation;
let espax: EspaxSimulator;
let h: Harness;
let dataDir: string;
let ommPort: number;
const restarts: { request: RestartRequest; dectPhase: string; storeClosed: Promise<boolean> }[] = [];

interface Iface {
  id: string;
  kind: string;
  state: string;
  since?: string;
  detail: Record<string, unknown>;
}
const interfaces = async (): Promise<Iface[]> => {
  const r = await h.request('GET', '/api/v1/system/interfaces');
  assert.equal(r.status, 200, r.text);
  return r.json.interfaces;
};
const stateOf = async (id: string) => (await interfaces()).find((i) => i.id === id)?.state;

before(async () => {
  timers = new ManualTimers();
  const o = await startDectSim({
    handsets: [
      { ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'silent' } },
      { ppn: 2, number: '4712', name: 'Bob', rfp: 10, behaviour: { kind: 'silent' } },
    ],
    rfps: [10],
    schedule: timers.set,
  });
  omm = o.sim;
  ommPort = o.port;
  nurse = nurseCallStation({ pollIntervalMs: 2_000, schedule: timers.set });
  const { port: nursePort } = await nurse.start({ mode: 'server', port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'tocsin-system-'));
  const store = await createPgliteStore({ dataDir, fsync: false });
  h = await startHarness({
    store,
    dect: o.dect,
    espa: {
      espa444: [
        {
          id: 'ward3',
          role: 'paging',
          connect: { host: '127.0.0.1', port: nursePort },
          charset: 'latin1',
          rules: [{ address: '2*', alarmType: 'generic' }],
          sendsPagers: false,
        },
      ],
      espax: {
        host: '127.0.0.1',
        port: 0,
        tls: false,
        clients: [{ client: 'NurseCall-Ward3', user: 'nurse3', password: 'secret12' }],
        rules: [{ alarmType: 'generic' }],
        heartbeatTimeoutMs: undefined,
      },
    },
    // The link supervision raises generic alarms in `default`.
    file: { ...testFileConfig, environments: [{ id: 'default', name: 'Default', supervisionAlarmType: 'generic' }] },
    restart: (request) => {
      const dect = h.tocsin.notifier as DectAdapter;
      restarts.push({
        request,
        dectPhase: dect.transport.phase,
        storeClosed: h.tocsin.store.ping().then(
          () => false,
          () => true,
        ),
      });
    },
  });
  await (h.tocsin.devices.dect as DectAdapter).whenUp();
  await settled(() => nurse.connected, 'Tocsin dialled the nurse-call station');
  espax = new EspaxSimulator({
    port: h.tocsin.devices.espaxPort()!,
    client: 'NurseCall-Ward3',
    user: 'nurse3',
    password: 'secret12',
    now: () => Date.UTC(2026, 10, 26, 8),
  });
  await espax.connect();
});
after(async () => {
  await espax?.end().catch(() => {});
  await h?.stop();
  await nurse?.stop();
  await omm?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A token of the built-in admin holding only `permissions`. */
async function tokenWith(...permissions: Permission[]): Promise<Record<string, string>> {
  const admin = (await h.tocsin.store.identity.findUserByLoginKey('admin'))!;
  const { token } = await h.tocsin.auth.issueToken(admin.id, {
    name: `only-${permissions.join('-') || 'view'}`,
    permissions,
    environments: admin.environments,
  });
  return { authorization: `Bearer ${token}` };
}

describe('interface status', () => {
  it('lists every configured interface of this node with its state', async () => {
    const list = await interfaces();
    assert.deepEqual(
      list.map((i) => i.id),
      ['dect', 'espa444-ward3', 'espax', 'notifier', 'scheduler', 'store', 'change-feed'],
    );
    const dect = list.find((i) => i.id === 'dect')!;
    assert.equal(dect.state, 'up');
    assert.equal(dect.detail.omm, `127.0.0.1:${ommPort}`);
    assert.equal(dect.detail.phase, 'up');
    assert.equal(typeof dect.since, 'string');
    const espaxIf = list.find((i) => i.id === 'espax')!;
    assert.equal(espaxIf.state, 'up');
    assert.equal(espaxIf.detail.port, h.tocsin.devices.espaxPort());
    assert.equal(espaxIf.detail.connections, 1);
    assert.deepEqual(list.find((i) => i.id === 'espa444-ward3')!.detail.mode, 'client');
    assert.ok(['up', 'connecting'].includes(list.find((i) => i.id === 'espa444-ward3')!.state));
    assert.deepEqual(
      list.filter((i) => ['scheduler', 'store', 'change-feed', 'notifier'].includes(i.id)).map((i) => i.state),
      ['up', 'up', 'up', 'up'],
    );
    assert.equal(list.find((i) => i.id === 'store')!.detail.store, 'pglite');
    assert.equal(list.find((i) => i.id === 'scheduler')!.detail.scheduler, 'embedded');
    const r = await h.request('GET', '/api/v1/system/interfaces');
    assert.equal(r.json.mode, 'embedded');
    assert.equal(r.json.lease, undefined, 'no lease in embedded mode');
  });

  it('the DECT link shows down when the OMM drops it, with a supervision alarm and its time', async () => {
    await h.advance(60_000);
    omm.dropLinks();
    // (It reconnects by itself after a back-off; the status is read as soon as it shows down.)
    let dect: Iface | undefined;
    await settled(async () => {
      dect = (await interfaces()).find((i) => i.id === 'dect' && i.state === 'down');
      return dect !== undefined;
    }, 'the DECT link shows down');
    assert.ok(dect);
    assert.equal(dect.since, new Date(h.clock.now()).toISOString(), 'since the link-down event');
    assert.equal(dect.detail.lastEvent, 'link-down');
    await h.advance(0);
    await settled(async () => {
      const s = await h.request('GET', '/api/v1/system/supervision');
      return s.json.alarms.some((a: { device: string }) => a.device === 'dect');
    }, 'the supervision alarm of the DECT link');
  });

  it('restarting the interfaces reopens the DECT link at once; alarms raised before stay active', async () => {
    const raised = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Before restart', id: 'keep-1' });
    assert.equal(raised.status, 201, raised.text);
    const before = new Set(omm.links);
    const r = await h.request('POST', '/api/v1/system/restart', { scope: 'interfaces', reason: 'OMM replaced' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { scope: 'interfaces', status: 'restarted' });
    await (h.tocsin.devices.dect as DectAdapter).whenUp();
    await settled(() => omm.links.some((l) => !before.has(l) && l.opened && !l.closed), 'a new Open');
    await settled(() => [...before].every((l) => l.closed), 'every link from before the restart closed');
    assert.equal(await stateOf('dect'), 'up');
    assert.equal((await h.request('GET', '/api/v1/alarms/keep-1')).json.status, 'active');
    const log = await h.request('GET', '/api/v1/access-log?action=maintenance.restart');
    const entry = log.json.entries.find((e: { target: string }) => e.target === 'system/interfaces');
    assert.equal(entry.actor, 'admin');
    assert.equal(entry.outcome, 'success');
    assert.deepEqual(entry.details, { scope: 'interfaces', reason: 'OMM replaced' });
  });

  it('the handsets are counted from the OMM’s events', async () => {
    omm.switchOff(2);
    await settled(async () => (await interfaces())[0]!.detail.switchedOff === 1, 'handset 2 switched off');
  });
});

describe('monitor', () => {
  it('digests the metrics /metrics serves', async () => {
    const m = await h.request('GET', '/api/v1/system/monitor');
    assert.equal(m.status, 200, m.text);
    assert.equal(m.json.at, new Date(h.clock.now()).toISOString());
    assert.ok(m.json.alarms.active >= 2, 'keep-1 and the supervision alarm');
    assert.ok(m.json.steps.raised >= 2);
    assert.equal(m.json.supervisionEvents['dect-link-down'], 1);
    assert.ok(m.json.supervisionEvents['dect-link-up'] >= 2);
    assert.ok(m.json.uptimeSeconds >= 0);
    assert.ok(m.json.memory.heapUsedBytes > 0);
    const metrics = await h.request('GET', '/metrics');
    assert.match(metrics.text, /tocsin_supervision_events_total\{reason="dect-link-down"\} 1/);
  });
});

describe('supervision alarms', () => {
  it('lists the supervised interfaces, the assignment and the recent supervision alarms', async () => {
    const s = await h.request('GET', '/api/v1/system/supervision');
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(
      s.json.interfaces.map((i: { id: string }) => i.id),
      ['dect', 'dect-handsets', 'espa444-ward3', 'espax', 'plans'],
    );
    const dect = s.json.interfaces[0];
    assert.deepEqual(dect.events, ['link-down', 'link-up', 'login-refused', 'subscription-refused']);
    const env = s.json.environments.find((e: { id: string }) => e.id === 'default');
    assert.equal(env.supervisionAlarmType, 'generic');
    assert.deepEqual(env.alarmTypes, ['fast', 'generic']);
    const alarm = s.json.alarms.find((a: { device: string }) => a.device === 'dect');
    assert.equal(alarm.type, 'generic');
    assert.match(alarm.text, /DECT link to 127\.0\.0\.1:\d+: link-down/);
  });

  it('assigning another alarm type is a versioned configuration change', async () => {
    const before = (await h.request('GET', '/api/v1/config/environments/default')).json.version;
    const r = await h.request('PUT', '/api/v1/system/supervision/default', { alarmType: 'fast' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      environment: 'default',
      supervisionAlarmType: 'fast',
      version: before + 1,
      changed: true,
    });
    const env = (await h.request('GET', '/api/v1/config/environments/default')).json;
    assert.equal(env.supervisionAlarmType, 'fast');
    assert.equal(env.version, before + 1);
    const changes = (await h.request('GET', '/api/v1/config/changes?limit=1000')).json.changes;
    const last = changes[changes.length - 1];
    assert.equal(last.kind, 'environment');
    assert.equal(last.id, 'default');
    assert.equal(last.actor, 'admin');
    const again = await h.request('PUT', '/api/v1/system/supervision/default', { alarmType: 'fast' });
    assert.equal(again.json.changed, false, 'the same assignment records nothing');
    const cleared = await h.request('PUT', '/api/v1/system/supervision/default', { alarmType: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal((await h.request('GET', '/api/v1/config/environments/default')).json.supervisionAlarmType, undefined);
    // An alarm type that does not exist is refused; an unknown environment is not found.
    assert.equal((await h.request('PUT', '/api/v1/system/supervision/default', { alarmType: 'nope' })).status, 422);
    assert.equal((await h.request('PUT', '/api/v1/system/supervision/nowhere', { alarmType: null })).status, 404);
    await h.request('PUT', '/api/v1/system/supervision/default', { alarmType: 'generic' });
  });
});

describe('permissions', () => {
  const routes: [string, string, unknown, Permission][] = [
    ['GET', '/api/v1/system/interfaces', undefined, 'system.interfaces'],
    ['GET', '/api/v1/system/monitor', undefined, 'system.monitor'],
    ['POST', '/api/v1/system/restart', { scope: 'server', reason: 'x' }, 'system.restart'],
    ['GET', '/api/v1/system/supervision', undefined, 'administration.supervision-alarms'],
    ['PUT', '/api/v1/system/supervision/default', { alarmType: null }, 'administration.supervision-alarms'],
  ];
  it('each route is refused (403) to a token without its permission, and answers with it', async () => {
    const viewer = await tokenWith('operation.alarms.view');
    for (const [method, path, body] of routes) {
      const r = await h.request(method, path, body, viewer);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    // With only its own permission each read answers; nothing restarts (the body of restart is invalid).
    for (const [method, path, , permission] of routes.filter(([m]) => m === 'GET')) {
      const r = await h.request(method, path, undefined, await tokenWith(permission));
      assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
    }
    const invalid = await h.request(
      'POST',
      '/api/v1/system/restart',
      { scope: 'all' },
      await tokenWith('system.restart'),
    );
    assert.equal(invalid.status, 422, invalid.text);
    assert.equal(restarts.length, 0);
  });
});

describe('server restart', () => {
  it('answers 202, refuses a second (409), stops gracefully and then calls the process host once', async () => {
    const [first, second] = await Promise.all([
      h.request('POST', '/api/v1/system/restart', { scope: 'server', reason: 'kernel update' }),
      h.request('POST', '/api/v1/system/restart', { scope: 'server', reason: 'me too' }),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [202, 409], `${first.text} / ${second.text}`);
    const accepted = first.status === 202 ? first : second;
    assert.deepEqual(accepted.json, { scope: 'server', status: 'restarting' });
    await settled(() => restarts.length > 0, 'the process host was asked to restart');
    assert.equal(restarts.length, 1);
    assert.deepEqual(restarts[0]!.request, { actor: 'admin', reason: 'kernel update' });
    assert.equal(restarts[0]!.dectPhase, 'stopped', 'the DECT link was closed first');
    assert.equal(await restarts[0]!.storeClosed, true, 'the store was closed first');
    // The access log, read back from the data directory: the request (and the refusal), then the stop.
    const store = await createPgliteStore({ dataDir, fsync: false });
    try {
      const entries = (await store.accessLog.list({ limit: 1000, action: 'maintenance.restart' })).sort(
        (a, b) => a.seq - b.seq,
      );
      const asked = entries.filter((e) => e.target === 'system/server');
      assert.deepEqual(asked.map((e) => [e.actor, e.outcome, (e.details as { reason: string }).reason]).sort(), [
        ['admin', 'failure', 'me too'],
        ['admin', 'success', 'kernel update'],
      ]);
      const requested = asked.find((e) => e.outcome === 'success')!;
      const stop = entries.find((e) => (e.details as { phase?: string }).phase === 'stop' && e.seq > requested.seq);
      assert.ok(stop, 'the graceful stop is recorded after the request');
      assert.equal(stop.actor, 'system');
    } finally {
      await store.close();
    }
  });
});
