// The operator's functions of the console (operation-routes.ts), the whole app in-process with
// the loopback notifier and a virtual clock: forward records a FORWARD step by the operator and
// notifies the recipient through the outbox (and the alarm still replays exactly); unknown
// recipients, ended alarms and other environments are refused; cancel-all cancels only the
// caller's environments' alarms (each a recorded cancel) and logs out their presences; the phones
// list takes either permission; the contacts are read with operation.contacts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PERMISSION_IDS, type Permission } from '../../src/domain/permissions.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';

let h: Harness;
let operator: string;
const ids: Record<string, string> = {};

const OPERATOR: Permission[] = PERMISSION_IDS.filter((p) => p.startsWith('operation.'));

async function user(loginName: string, environments: string[]): Promise<string> {
  const u = await h.request('POST', '/api/v1/users', {
    loginName,
    displayName: `${loginName} person`,
    userGroup: 'operator',
    environments,
    password: `${loginName}-Passphrase-77`,
    mustChangePassword: false,
  });
  assert.equal(u.status, 201, u.text);
  ids[loginName] = u.json.id;
  return u.json.id;
}

/** An API token of olga (default environment; the admin for system.*) holding only `permissions`. */
async function tokenOf(permissions: Permission[], owner = ids.olga!): Promise<string> {
  return (
    await h.tocsin.auth.issueToken(owner, {
      name: `t-${permissions.join('-')}`.slice(0, 60),
      permissions,
      environments: ['default'],
    })
  ).token;
}

before(async () => {
  h = await startHarness({
    file: {
      ...testFileConfig,
      environments: [
        { id: 'default', name: 'Default' },
        { id: 'ward-b', name: 'Ward B' },
      ],
      contacts: [
        { id: 'harbour', name: 'Harbour master', environment: 'default', phone: '+49 40 1234' },
        { id: 'b-doctor', name: 'Doctor of ward B', environment: 'ward-b', email: 'doc@example.org' },
      ],
      groups: {
        ...testFileConfig.groups,
        night: { name: 'Night desk', presence: true, members: [{ kind: 'user', id: 'olga' }] },
        'night-b': {
          name: 'Night desk B',
          environment: 'ward-b',
          presence: true,
          members: [{ kind: 'user', id: 'bjorn' }],
        },
      },
      alarmTypes: [
        ...testFileConfig.alarmTypes,
        { id: 'b-call', name: 'Ward B call', priority: 3, plan: { id: 'escalate', version: 1 }, environment: 'ward-b' },
      ],
    },
  });
  await user('olga', ['default']);
  await user('dave', ['default']);
  await user('bjorn', ['ward-b']);
  await h.tocsin.auth.setPassword(SYSTEM, ids.olga!, 'olga-Passphrase-78', { mustChangePassword: false });
  operator = await tokenOf(OPERATOR);
});
after(async () => {
  await h.stop();
});

const as = (method: string, path: string, body?: unknown, token = operator) =>
  h.request(method, path, body, { authorization: `Bearer ${token}` });

async function raise(id: string, type = 'generic'): Promise<void> {
  const r = await h.request('POST', '/api/v1/alarms', { type, text: `Smoke ${id}`, id });
  assert.equal(r.status, 201, r.text);
}

describe('forward (POST /api/v1/alarms/{id}/forward)', () => {
  it('records a FORWARD step by the operator, notifies the recipient, and replays exactly', async () => {
    await raise('fw-1');
    const r = await as('POST', '/api/v1/alarms/fw-1/forward', { to: 'dave', text: 'Please take over, dave' });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.json, { forwarded: true, recipients: ['dave'] });
    await h.advance(0);
    // Through the outbox and the notifier, with the operator's text.
    const sent = h.notifier.deliveries.filter((d) => d.alarmId === 'fw-1' && d.recipient === 'dave');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.op, 'send');
    assert.equal(sent[0]!.text, 'Please take over, dave');
    const protocol = (await h.request('GET', '/api/v1/alarms/fw-1/protocol')).json;
    assert.equal(protocol.chain.ok, true);
    const step = protocol.entries.at(-1);
    assert.equal(step.event.type, 'FORWARD');
    assert.deepEqual(step.actor, { kind: 'user', id: 'olga' });
    assert.deepEqual(step.event.recipients, ['dave']);
    assert.equal(step.event.text, 'Please take over, dave', 'shown with the names resolved');
    // Stored with the recipient's pseudonym, in the text too: the chain never covers the name.
    const stored = (await h.tocsin.store.listProtocol('fw-1')).at(-1)!;
    assert.match(JSON.stringify(stored.event), /"text":"Please take over, p-[0-9a-f]{16}"/);
    assert.doesNotMatch(JSON.stringify(stored), /dave/);
    assert.match(step.note, /forwarded by olga to dave/);
    assert.deepEqual(
      step.effects.filter((e: { type: string }) => e.type === 'notify'),
      [{ type: 'notify', group: 'forward:1', round: 0, recipients: ['dave'] }],
    );
    const view = (await h.request('GET', '/api/v1/alarms/fw-1')).json;
    const forwarded = view.recipients.find((x: { recipient: string }) => x.recipient === 'dave');
    assert.equal(forwarded.group, 'forward:1');
    assert.equal(forwarded.status, 'sent');
    assert.equal(view.state, 'levelA', 'the plan goes on: a forward adds a responder');
    // The forwarded recipient accepts like anyone notified: the alarm ends.
    const accept = await h.request('POST', '/api/v1/alarms/fw-1/responses', { response: 'accept', by: 'dave' });
    assert.equal(accept.status, 202, accept.text);
    assert.equal((await h.request('GET', '/api/v1/alarms/fw-1')).json.state, 'accepted');
    const replayed = await h.request('GET', '/api/v1/alarms/fw-1/replay');
    assert.equal(replayed.json.ok, true, replayed.text);
  });

  it('forwards to a group (its members), a contact and a device; a second forward is a new notification', async () => {
    await raise('fw-2');
    const group = await as('POST', '/api/v1/alarms/fw-2/forward', { to: 'group:A' });
    assert.deepEqual(group.json.recipients, ['alice', 'bob']);
    const contact = await as('POST', '/api/v1/alarms/fw-2/forward', { to: 'contact:harbour' });
    assert.deepEqual(contact.json.recipients, ['contact:harbour']);
    const device = await as('POST', '/api/v1/alarms/fw-2/forward', { to: 'device:4711' });
    assert.equal(device.status, 202, device.text);
    const again = await as('POST', '/api/v1/alarms/fw-2/forward', { to: 'contact:harbour' });
    assert.equal(again.status, 202, again.text);
    await h.advance(0);
    const view = (await h.request('GET', '/api/v1/alarms/fw-2')).json;
    const groups = view.recipients
      .filter((x: { group: string }) => x.group.startsWith('forward:'))
      .map((x: { recipient: string; group: string }) => `${x.group} ${x.recipient}`)
      .sort();
    assert.deepEqual(groups, [
      'forward:1 alice',
      'forward:1 bob',
      'forward:2 contact:harbour',
      'forward:3 device:4711',
      'forward:4 contact:harbour',
    ]);
    // Cancelling withdraws the forwarded notifications too.
    await h.request('POST', '/api/v1/alarms/fw-2/cancel', { by: 'olga' });
    const after = (await h.request('GET', '/api/v1/alarms/fw-2')).json;
    for (const x of after.recipients) assert.notEqual(x.status, 'pending', `${x.recipient} withdrawn`);
    assert.equal((await h.request('GET', '/api/v1/alarms/fw-2/replay')).json.ok, true);
  });

  it('refuses unknown recipients (422), ended alarms (409), other environments (404) and FORWARD as a signal', async () => {
    await raise('fw-3');
    await raise('fw-b', 'b-call');
    for (const to of [
      'nobody',
      'group:none',
      'contact:none',
      'contact:b-doctor',
      'bjorn',
      'group:night-b',
      'device:',
    ]) {
      const r = await as('POST', '/api/v1/alarms/fw-3/forward', { to });
      assert.equal(r.status, 422, `${to}: ${r.text}`);
      assert.equal(r.headers['content-type'], 'application/problem+json');
    }
    // The presence-tracked night desk with nobody logged in reaches nobody.
    const empty = await as('POST', '/api/v1/alarms/fw-3/forward', { to: 'group:night' });
    assert.equal(empty.status, 422, empty.text);
    assert.match(JSON.stringify(empty.json.errors), /nobody in group 'night'/);
    assert.equal((await as('POST', '/api/v1/alarms/fw-3/forward', { to: 'a b' })).status, 422);
    assert.equal((await as('POST', '/api/v1/alarms/fw-3/forward', { to: 'dave', extra: 1 })).status, 422);
    assert.equal((await as('POST', '/api/v1/alarms/fw-b/forward', { to: 'dave' })).status, 404);
    assert.equal((await as('POST', '/api/v1/alarms/no-such/forward', { to: 'dave' })).status, 404);
    const signal = await h.request('POST', '/api/v1/alarms/fw-3/signals', { signal: 'FORWARD', by: 'olga' });
    assert.equal(signal.status, 422, signal.text);
    await h.request('POST', '/api/v1/alarms/fw-3/cancel', { by: 'olga' });
    const ended = await as('POST', '/api/v1/alarms/fw-3/forward', { to: 'dave' });
    assert.equal(ended.status, 409, ended.text);
    const protocol = (await h.request('GET', '/api/v1/alarms/fw-3/protocol')).json;
    assert.ok(
      !protocol.entries.some((e: { event: { type: string } }) => e.event.type === 'FORWARD'),
      'nothing recorded',
    );
    // Only with operation.alarms.forward.
    const viewer = await tokenOf(['operation.alarms.view']);
    assert.equal((await as('POST', '/api/v1/alarms/fw-b/forward', { to: 'dave' }, viewer)).status, 403);
  });

  it('lists the forward targets of the caller’s environments', async () => {
    const r = await as('GET', '/api/v1/forward-targets');
    assert.equal(r.status, 200, r.text);
    const users = r.json.users.map((u: { id: string }) => u.id);
    assert.ok(users.includes('dave') && users.includes('olga'), users.join());
    assert.ok(!users.includes('bjorn'), 'not of ward B');
    assert.deepEqual(
      r.json.contacts.map((c: { id: string }) => c.id),
      ['harbour'],
    );
    assert.ok(r.json.groups.some((g: { id: string }) => g.id === 'A'));
    assert.ok(!r.json.groups.some((g: { id: string }) => g.id === 'night-b'));
  });
});

describe('cancel all (POST /api/v1/alarms/cancel-all)', () => {
  it('cancels every active alarm of the caller’s environments and logs out their presences', async () => {
    await raise('ca-1');
    await raise('ca-2');
    await raise('ca-b', 'b-call');
    assert.equal((await h.request('PUT', '/api/v1/config/groups/night/presence/olga', {})).status, 200);
    assert.equal((await h.request('PUT', '/api/v1/config/groups/night-b/presence/bjorn', {})).status, 200);
    const activeHere = (await as('GET', '/api/v1/alarms?status=active')).json.alarms.length;
    assert.ok(activeHere >= 2);
    const r = await as('POST', '/api/v1/alarms/cancel-all', { alarms: true, presences: true, reason: 'drill over' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { alarms: activeHere, presences: 1 });
    assert.deepEqual((await as('GET', '/api/v1/alarms?status=active')).json.alarms, []);
    // Each a recorded cancel by the operator.
    for (const id of ['ca-1', 'ca-2']) {
      const step = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json.entries.at(-1);
      assert.equal(step.event.type, 'CANCEL');
      assert.equal(step.event.reason, 'drill over');
      assert.deepEqual(step.actor, { kind: 'user', id: 'olga' });
    }
    // Ward B is another environment: its alarm runs on, its member stays logged in.
    assert.equal((await h.request('GET', '/api/v1/alarms/ca-b')).json.status, 'active');
    assert.deepEqual((await h.request('GET', '/api/v1/config/groups/night-b/presence')).json.present, ['bjorn']);
    assert.deepEqual((await h.request('GET', '/api/v1/config/groups/night/presence')).json.present, []);
    const log = await h.tocsin.store.accessLog.list({ limit: 10, action: 'alarms.cancel-all' });
    assert.equal(log.length, 1);
    assert.equal(log[0]!.actor, 'olga');
    assert.deepEqual(log[0]!.details, { alarms: activeHere, presences: 1, reason: 'drill over' });
    // A retry does no harm.
    const again = await as('POST', '/api/v1/alarms/cancel-all', { alarms: true, presences: true });
    assert.deepEqual(again.json, { alarms: 0, presences: 0 });
    // Presences only.
    await raise('ca-3');
    const only = await as('POST', '/api/v1/alarms/cancel-all', { alarms: false, presences: true });
    assert.deepEqual(only.json, { alarms: 0, presences: 0 });
    assert.equal((await h.request('GET', '/api/v1/alarms/ca-3')).json.status, 'active');
    await h.request('POST', '/api/v1/alarms/ca-3/cancel', { by: 'olga' });
  });

  it('refuses a bad body and a caller without operation.alarms.cancel-all', async () => {
    assert.equal((await as('POST', '/api/v1/alarms/cancel-all', { alarms: true })).status, 422);
    assert.equal((await as('POST', '/api/v1/alarms/cancel-all', { alarms: 'yes', presences: false })).status, 422);
    const t = await tokenOf(['operation.alarms.view', 'operation.alarms.forward']);
    const r = await as('POST', '/api/v1/alarms/cancel-all', { alarms: true, presences: false }, t);
    assert.equal(r.status, 403, r.text);
  });
});

describe('phones and contacts for operators', () => {
  it('the phones list takes system.phones or operation.phones.locating-alert', async () => {
    for (const p of ['system.phones', 'operation.phones.locating-alert'] as const) {
      const admin = (await h.tocsin.store.identity.findUserByLoginKey('admin'))!;
      const r = await as('GET', '/api/v1/phones', undefined, await tokenOf([p], admin.id));
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.deepEqual(r.json, { link: 'none', phones: [] }, 'no DECT link here');
    }
    const r = await as('GET', '/api/v1/phones', undefined, await tokenOf(['operation.alarms.view']));
    assert.equal(r.status, 403);
    assert.match(r.json.detail, /'system.phones' or 'operation.phones.locating-alert'/);
  });

  it('the contacts of the caller’s environments, with operation.contacts', async () => {
    const r = await as('GET', '/api/v1/contacts', undefined, await tokenOf(['operation.contacts']));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      contacts: [{ id: 'harbour', name: 'Harbour master', environment: 'default', phone: '+49 40 1234' }],
    });
    const denied = await as('GET', '/api/v1/contacts', undefined, await tokenOf(['operation.alarms.view']));
    assert.equal(denied.status, 403);
  });
});
