// ESPA-X mapping (adapters/espax/espax-mapping.ts), pure and table-driven: glob rules (first
// match wins, absent field vs `*`), the TAN ↔ alarm id scheme (per client, nothing stored),
// location text, CP-PR-DETAILS, and the notification status → IND.P-EVENT / P-ENDED tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alarmIdOf,
  clientKey,
  detailsOf,
  endOf,
  eventOf,
  globMatches,
  locationOf,
  parseTan,
  ruleFor,
  tanOf,
  type EspaxRule,
} from '../../adapters/espax/espax-mapping.ts';

describe('globMatches', () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    // No glob: anything, also an absent field.
    [undefined, undefined, true],
    // `*` matches an absent field too (it is the default).
    ['*', undefined, true],
    // Any other glob needs the field.
    ['1*', undefined, false],
    ['1*', '1002', true],
    ['1*', '2002', false],
    // `?` is one character.
    ['10?2', '1002', true],
    ['10?2', '10002', false],
    // Case-insensitive (CP-SIGNAL URGENT vs Urgent).
    ['urgent', 'Urgent', true],
    // Regex characters are literal.
    ['a.b', 'axb', false],
    ['(x)', '(x)', true],
  ];
  for (const [glob, value, want] of cases)
    it(`${String(glob)} vs ${String(value)} → ${want}`, () => assert.equal(globMatches(glob, value), want));
});

describe('ruleFor', () => {
  const rules: EspaxRule[] = [
    { groupId: '1002', signal: 'Emergency', alarmType: 'cardiac' },
    { groupId: '10*', alarmType: 'nurse' },
    { prio: 'Emergency', alarmType: 'emergency' },
    { alarmType: 'default' },
  ];
  it('takes the first rule whose globs all match', () => {
    assert.equal(ruleFor(rules, { groupId: '1002', signal: 'Emergency' })?.alarmType, 'cardiac');
    assert.equal(ruleFor(rules, { groupId: '1002', signal: 'Urgent' })?.alarmType, 'nurse');
    assert.equal(ruleFor(rules, { groupId: '77', prio: 'Emergency' })?.alarmType, 'emergency');
    assert.equal(ruleFor(rules, {})?.alarmType, 'default');
  });
  it('finds nothing without a default rule', () => {
    assert.equal(ruleFor(rules.slice(0, 3), { groupId: '2' }), undefined);
  });
});

describe('TAN scheme', () => {
  it('turns a TAN into an alarm id and back, for the owning client only', () => {
    const id = alarmIdOf('Ward3', 2033246342);
    assert.match(id, /^espax-[0-9a-f]{12}-2033246342$/);
    assert.equal(tanOf('Ward3', id), 2033246342);
    assert.equal(tanOf('Ward4', id), undefined);
    assert.equal(tanOf('Ward3', 'alarm-17'), undefined);
    assert.equal(clientKey('Ward3'), clientKey('Ward3'));
    assert.notEqual(clientKey('Ward3'), clientKey('ward3'));
  });

  it('parses TANs from 1 to 2^31-1 only', () => {
    assert.equal(parseTan(' 42 '), 42);
    assert.equal(parseTan('2147483647'), 2147483647);
    assert.equal(parseTan('2147483648'), undefined);
    assert.equal(parseTan('0'), undefined);
    assert.equal(parseTan('-1'), undefined);
    assert.equal(parseTan('1e3'), undefined);
    assert.equal(parseTan(undefined), undefined);
  });
});

describe('locationOf and detailsOf', () => {
  it('joins ward and bed', () => {
    assert.equal(locationOf('Ward 3', '12-2'), 'Ward 3 / 12-2');
    assert.equal(locationOf(undefined, '12-2'), '12-2');
    assert.equal(locationOf(' ', undefined), undefined);
  });
  it('reads CP-PR-DETAILS, All by default', () => {
    assert.deepEqual(detailsOf(undefined), { process: true, results: true });
    assert.deepEqual(detailsOf('No'), { process: false, results: false });
    assert.deepEqual(detailsOf('Process'), { process: true, results: false });
    assert.deepEqual(detailsOf('Results'), { process: false, results: true });
    assert.deepEqual(detailsOf('garbage'), { process: true, results: true });
  });
});

describe('eventOf and endOf', () => {
  it('maps notification statuses to SS-RESULT / SS-STATUS', () => {
    assert.equal(eventOf('pending'), undefined);
    assert.equal(eventOf('sent'), undefined);
    assert.equal(eventOf('withdrawn'), undefined);
    assert.deepEqual(eventOf('delivered'), { result: 'Reached', status: 'Processing' });
    assert.deepEqual(eventOf('read'), { result: 'Reached', status: 'Processing' });
    assert.deepEqual(eventOf('accepted'), { result: 'Accepted', status: 'Completed' });
    assert.deepEqual(eventOf('rejected'), { result: 'Rejected', status: 'Completed' });
    assert.deepEqual(eventOf('failed'), { result: 'Not reached', status: 'Completed' });
  });
  it('maps the end of an alarm to SP-ENDREASON / SP-RESULT', () => {
    assert.deepEqual(endOf('accepted', false), { endReason: 'Finished', result: 'Positive' });
    assert.deepEqual(endOf('cancelled', true), { endReason: 'Client', result: 'None' });
    assert.deepEqual(endOf('cancelled', false), { endReason: 'Operator', result: 'None' });
    assert.deepEqual(endOf('other', false), { endReason: 'Finished', result: 'Negative' });
    assert.deepEqual(endOf(undefined, false), { endReason: 'Finished', result: 'Negative' });
  });
});
