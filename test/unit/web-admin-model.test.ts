// The pure parts of the console's administration pages: a problem's `errors` placed at form
// fields, client-side pages and filtering, the permission tree's ticks, the password policy
// as the console checks it first, the configuration forms' item ↔ form conversion, and the
// access log's query.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fieldOfPointer,
  formErrors,
  inTreeOrder,
  isStale,
  leavesOf,
  matchesQuery,
  pageOf,
  parseList,
  passwordProblem,
  setAll,
  tickState,
  type PermissionNode,
} from '../../src/web/admin/admin-model.ts';
import { accessLogQuery, NO_LOG_FILTER } from '../../src/web/admin/access-log-query.ts';
import { formToItem, itemToForm } from '../../src/web/admin/config-fields.ts';

/** A refused call as api.ts's ApiError (an Error with status, detail and errors). */
const problem = (
  status: number,
  detail: string,
  errors: { pointer?: string; parameter?: string; reason: string }[] = [],
) => Object.assign(new Error(`${status}: ${detail}`), { status, detail, errors });

describe('web admin: problem errors at fields', () => {
  it('a 412 problem is a stale version (someone else saved meanwhile); nothing else is', () => {
    assert.equal(isStale(problem(412, 'the user group has version 3, not 2')), true);
    assert.equal(isStale(problem(409, 'in use')), false);
    assert.equal(isStale(new Error('412')), false);
    assert.equal(isStale({ status: 412, detail: 'x', errors: [] }), false, 'not an Error');
  });

  it('takes the top-level member a pointer names', () => {
    // a plain member
    assert.equal(fieldOfPointer('/password'), 'password');
    // an array element belongs to its array's field
    assert.equal(fieldOfPointer('/environments/0'), 'environments');
    // a nested member belongs to the outer field
    assert.equal(fieldOfPointer('/repeat/count'), 'repeat');
    // JSON pointer escapes are undone
    assert.equal(fieldOfPointer('/a~1b'), 'a/b');
    // the whole body and no pointer name no field
    assert.equal(fieldOfPointer(''), undefined);
    assert.equal(fieldOfPointer(undefined), undefined);
  });

  it('places each error at its field, joins several, and keeps the detail for the rest', () => {
    // two reasons for one field are joined; a query parameter counts as a field
    const e = problem(422, 'the item is invalid', [
      { pointer: '/text', reason: 'required' },
      { pointer: '/text', reason: 'too long' },
      { parameter: 'id', reason: 'bad id' },
    ]);
    assert.deepEqual(formErrors(e), { fields: { text: 'required; too long', id: 'bad id' }, general: undefined });
    // an error at the body as a whole shows the detail too
    const whole = problem(422, 'must be an object', [{ pointer: '', reason: 'a JSON object' }]);
    assert.deepEqual(formErrors(whole), { fields: {}, general: 'must be an object' });
    // a problem without errors (409) is general
    assert.deepEqual(formErrors(problem(409, 'login name taken')), { fields: {}, general: 'login name taken' });
    // anything else: its message
    assert.deepEqual(formErrors(new Error('offline')), { fields: {}, general: 'offline' });
  });
});

describe('web admin: lists', () => {
  const items = Array.from({ length: 53 }, (_, i) => i);
  it('pages of 25, clamped', () => {
    // the first page
    assert.deepEqual(pageOf(items, 0).items, items.slice(0, 25));
    // the last, partial page
    assert.deepEqual(pageOf(items, 2), { items: [50, 51, 52], page: 2, pages: 3 });
    // past the end: the last page (a filter shrank the list)
    assert.equal(pageOf(items, 9).page, 2);
    // an empty list still has one (empty) page
    assert.deepEqual(pageOf([], 0), { items: [], page: 0, pages: 1 });
  });

  it('filters case-insensitively over several values', () => {
    assert.equal(matchesQuery('NIN', ['nina', null]), true);
    assert.equal(matchesQuery('  ', []), true, 'an empty query matches all');
    assert.equal(matchesQuery('bob', ['nina', undefined]), false);
  });

  it('reads comma-separated lists', () => {
    assert.deepEqual(parseList(' a, b ,,c, a'), ['a', 'b', 'c']);
    assert.deepEqual(parseList(''), []);
  });
});

describe('web admin: the permission tree', () => {
  const tree: PermissionNode = {
    label: 'Operation',
    children: [
      { label: 'Alarms', children: [{ id: 'view', label: 'View', origin: 'tocsin' }] },
      { id: 'protocol', label: 'Protocol', origin: 'guidelines' },
      { id: 'cameras', label: 'Cameras', origin: 'guidelines' },
    ],
  };
  const ids = leavesOf(tree);

  it('lists the leaves in tree order', () => assert.deepEqual(ids, ['view', 'protocol', 'cameras']));

  it('says whether all, some or none of a section are ticked', () => {
    assert.equal(tickState(ids, new Set()), 'none');
    assert.equal(tickState(ids, new Set(['protocol'])), 'some');
    assert.equal(tickState(ids, new Set(ids)), 'all');
    // a section without leaves is not "all"
    assert.equal(tickState([], new Set(['x'])), 'none');
  });

  it('ticks a whole section except what the caller cannot grant, and unticks likewise', () => {
    const held = (id: string) => id !== 'cameras';
    assert.deepEqual([...setAll(new Set(['other']), ids, true, held)].sort(), ['other', 'protocol', 'view']);
    // a permission the caller does not hold stays as it was when unticking too
    assert.deepEqual([...setAll(new Set(['cameras', 'view']), ids, false, held)], ['cameras']);
  });

  it('saves in tree order', () =>
    assert.deepEqual(inTreeOrder(ids, new Set(['cameras', 'view'])), ['view', 'cameras']));
});

describe('web admin: the password policy, checked before sending', () => {
  const cases: [string, string, string, ReturnType<typeof passwordProblem>][] = [
    // fine
    ['long-enough-1', 'long-enough-1', 'nina', undefined],
    // 7 characters
    ['short12', 'short12', 'nina', 'short'],
    // admin has its own reason, even though it is short too
    ['ADMIN', 'ADMIN', 'nina', 'admin'],
    // the login name, in any case
    ['NinaNurse', 'NinaNurse', 'ninanurse', 'login'],
    // the repeat differs
    ['long-enough-1', 'long-enough-2', 'nina', 'repeat'],
    // 256 characters
    ['x'.repeat(256), 'x'.repeat(256), 'nina', 'long'],
    // characters, not UTF-16 units: 8 emoji are 8 characters
    ['😀'.repeat(8), '😀'.repeat(8), 'nina', undefined],
  ];
  for (const [pw, repeat, login, want] of cases)
    it(`${pw.slice(0, 16)} → ${want ?? 'ok'}`, () => assert.equal(passwordProblem(pw, repeat, login), want));
});

describe('web admin: configuration forms', () => {
  it('round-trips an item through its form', () => {
    const item = {
      id: 'night',
      name: 'Night shift',
      environment: 'ward-3',
      members: [{ kind: 'user', id: 'nina' }],
      presence: true,
      version: 4,
    };
    const form = itemToForm('group', item);
    // booleans stay flags, nested fields become JSON text, the version is not a field
    assert.equal(form.presence, true);
    assert.equal(form.members, JSON.stringify(item.members, null, 2));
    assert.equal('version' in form, false);
    const { version: _v, ...rest } = item;
    assert.deepEqual(formToItem('group', form), { item: rest, badJson: [] });
  });

  it('leaves empty fields out, parses numbers, reports JSON that does not parse', () => {
    const form = { ...itemToForm('alarmType', undefined), id: 'gas', name: 'Gas', priority: '2', params: '{ "a": ' };
    const out = formToItem('alarmType', form);
    assert.deepEqual(out.badJson, ['params']);
    assert.deepEqual(out.item, { id: 'gas', name: 'Gas', environment: 'default', priority: 2 });
    // a number that does not parse goes as text, for the server to name
    assert.equal(formToItem('alarmType', { ...form, priority: 'two', params: '' }).item.priority, 'two');
  });

  it('starts a new item in the default environment with the schema’s flag defaults', () => {
    const form = itemToForm('profile', undefined);
    assert.equal(form.environment, 'default');
    assert.equal(form.popup, true);
    assert.equal(form.vibration, false);
  });
});

describe('web admin: the access log query', () => {
  it('sends only what is filled in, times as ISO UTC', () => {
    const q = accessLogQuery({ ...NO_LOG_FILTER, action: ' user.* ', from: '2026-11-26T08:00:00' });
    assert.equal(q.get('action'), 'user.*');
    assert.equal(q.get('from'), new Date('2026-11-26T08:00:00').toISOString());
    assert.deepEqual([...q.keys()].sort(), ['action', 'from']);
    // a time that does not parse is sent as typed, so the server names the parameter
    assert.equal(accessLogQuery({ ...NO_LOG_FILTER, to: 'yesterday' }).get('to'), 'yesterday');
  });
});
