// What the web console needs of the API beyond the rest: an operator reads the web alarm
// templates of their environments to trigger from (not the configuration itself), and every
// user reads and sets their own language (GET/PATCH /api/v1/auth/me).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';

let h: Harness;
let operator: string;

before(async () => {
  h = await startHarness({
    file: {
      ...testFileConfig,
      environments: [
        { id: 'default', name: 'Default' },
        { id: 'ward-b', name: 'Ward B' },
      ],
      alarmTypes: [
        ...testFileConfig.alarmTypes,
        {
          id: 'b-call',
          name: 'Ward B call',
          priority: 3,
          plan: { id: 'escalate', version: 1 },
          params: {},
          environment: 'ward-b',
        },
      ],
      webTemplates: [
        {
          id: 'help',
          name: 'Help',
          environment: 'default',
          alarmType: 'generic',
          text: 'Help needed',
          location: 'Bridge',
        },
        { id: 'b-help', name: 'Ward B help', environment: 'ward-b', alarmType: 'b-call', text: 'Help in B' },
      ],
    },
  });
  const u = await h.request('POST', '/api/v1/users', {
    loginName: 'olga',
    displayName: 'Olga Operator',
    userGroup: 'operator',
    environments: ['default'],
    language: 'DA',
    password: 'olga-Passphrase-77',
  });
  assert.equal(u.status, 201, u.text);
  await h.tocsin.auth.setPassword(SYSTEM, u.json.id, 'olga-Passphrase-78', { mustChangePassword: false });
  const login = await h.request(
    'POST',
    '/api/v1/auth/login',
    { loginName: 'olga', password: 'olga-Passphrase-78' },
    { 'x-anonymous': '1' },
  );
  assert.equal(login.status, 200, login.text);
  const t = await h.tocsin.auth.issueToken(u.json.id, {
    name: 'console',
    permissions: ['operation.alarms.trigger', 'operation.alarms.view'],
    environments: ['default'],
  });
  operator = t.token;
});
after(async () => {
  await h.stop();
});

const as = (method: string, path: string, body?: unknown) =>
  h.request(method, path, body, { authorization: `Bearer ${operator}` });

describe('the console’s API', () => {
  it('an operator reads the web alarm templates of their environments, not the configuration', async () => {
    const r = await as('GET', '/api/v1/alarms/templates');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      templates: [
        {
          id: 'help',
          name: 'Help',
          environment: 'default',
          alarmType: 'generic',
          text: 'Help needed',
          location: 'Bridge',
        },
      ],
    });
    assert.equal((await as('GET', '/api/v1/config/web-templates')).status, 403);
  });

  it('a user reads their display name, language and start page, and sets their language', async () => {
    const me = await as('GET', '/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.displayName, 'Olga Operator');
    assert.equal(me.json.language, 'DA');
    assert.equal(typeof me.json.startPage, 'string');
    const set = await as('PATCH', '/api/v1/auth/me', { language: 'FR' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.language, 'FR');
    assert.equal((await as('GET', '/api/v1/auth/me')).json.language, 'FR');
    // Only the language, and only one Tocsin speaks.
    assert.equal((await as('PATCH', '/api/v1/auth/me', { language: 'XX' })).status, 422);
    assert.equal((await as('PATCH', '/api/v1/auth/me', { language: 'DE', userGroup: 'administrator' })).status, 422);
    const log = await h.tocsin.store.accessLog.list({ limit: 5, action: 'user.update' });
    assert.equal(log[0]?.actor, 'olga');
  });
});
