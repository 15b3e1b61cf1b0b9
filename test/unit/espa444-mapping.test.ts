// The ESPA 4.4.4 adapter's pure decisions (adapters/espa444/espa444-mapping.ts), table-tested:
// inbound rules (first match wins, globs, raw call type / priority / beep / header), the
// record 7 status a call's progress calls for and whether it may still be reported, what a
// record 7 value coming back means for a call we sent, the priority mapping and ledger keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alarmTypeFor,
  espaPriority,
  mayReport,
  nextMessageKey,
  outcomeOf,
  statusFor,
  type InboundRule,
  type ReportedStatus,
} from '../../adapters/espa444/espa444-mapping.ts';
import type { AlarmParticipant, AlarmProgress } from '../../src/ports/alarm-intake.ts';

const RULES: InboundRule[] = [
  { address: '1??', priority: '1', alarmType: 'fire' },
  { address: '2*', callType: '2', alarmType: 'speech' },
  { address: '2*', beep: '5', header: '4', alarmType: 'line' },
  { address: '2*', alarmType: 'nurse' },
];

describe('inbound rules', () => {
  const rows: { name: string; call: Parameters<typeof alarmTypeFor>[1]; want: string | undefined }[] = [
    // '?' is exactly one character, and the priority must match.
    { name: '1?? with priority 1', call: { header: '1', address: '123', priority: '1' }, want: 'fire' },
    { name: '1?? needs three characters', call: { header: '1', address: '1234', priority: '1' }, want: undefined },
    {
      name: '1?? with priority 3 matches nothing',
      call: { header: '1', address: '123', priority: '3' },
      want: undefined,
    },
    // First match wins: a speech call to 2xx.
    { name: 'speech call to 201', call: { header: '1', address: '201', callType: '2' }, want: 'speech' },
    // Beep and header together.
    { name: 'beep 5 on header 4', call: { header: '4', address: '201', beep: '5' }, want: 'line' },
    { name: 'beep 5 on header 1 falls through', call: { header: '1', address: '201', beep: '5' }, want: 'nurse' },
    // An address no rule covers.
    { name: 'no rule for 301', call: { header: '1', address: '301' }, want: undefined },
  ];
  for (const r of rows) it(r.name, () => assert.equal(alarmTypeFor(RULES, r.call), r.want));
});

const p = (statuses: AlarmParticipant['status'][], ended = false, endReason?: AlarmProgress['endReason']) =>
  ({
    alarmId: 'a',
    state: '"x"',
    ended,
    endReason,
    participants: statuses.map((status, i) => ({ notificationId: `n${i}`, recipient: `u${i}`, status, at: 0 })),
  }) satisfies AlarmProgress;

describe('status reported back for an inbound call', () => {
  const rows: { name: string; progress: AlarmProgress; want: ReportedStatus }[] = [
    { name: 'nobody notified yet: in queue', progress: p([]), want: '2' },
    { name: 'sent is not paged', progress: p(['sent', 'pending']), want: '2' },
    { name: 'delivered: paged', progress: p(['failed', 'delivered']), want: '3' },
    { name: 'rejected still reached someone: paged', progress: p(['rejected']), want: '3' },
    { name: 'accepted: acknowledged', progress: p(['delivered', 'accepted']), want: '6' },
    { name: 'ended accepted: acknowledged', progress: p(['accepted'], true, 'accepted'), want: '6' },
    { name: 'ended cancelled: terminated', progress: p(['delivered'], true, 'cancelled'), want: '5' },
    { name: 'ended, nobody reached: absent', progress: p(['failed', 'sent'], true, 'other'), want: '4' },
    { name: 'ended otherwise after reaching someone: terminated', progress: p(['read'], true, 'other'), want: '5' },
  ];
  for (const r of rows) it(r.name, () => assert.equal(statusFor(r.progress), r.want));

  const reports: { name: string; sent: ReportedStatus[]; next: ReportedStatus; want: boolean }[] = [
    { name: 'the first status', sent: [], next: '2', want: true },
    { name: 'the same status twice: no', sent: ['2'], next: '2', want: false },
    { name: 'paged after in queue', sent: ['2'], next: '3', want: true },
    { name: 'in queue after paged: no (never backwards)', sent: ['2', '3'], next: '2', want: false },
    { name: 'terminated after acknowledged', sent: ['2', '6'], next: '5', want: true },
    { name: 'nothing after terminated', sent: ['2', '5'], next: '6', want: false },
    { name: 'nothing after absent', sent: ['2', '4'], next: '5', want: false },
  ];
  for (const r of reports) it(`may report: ${r.name}`, () => assert.equal(mayReport(r.sent, r.next), r.want));
});

describe('record 7 for a call we sent, priorities, keys', () => {
  const rows: [string, string][] = [
    ['3', 'delivered'],
    ['71', 'delivered'],
    ['6', 'accepted'],
    ['4', 'failed'],
    ['72', 'failed'],
    ['8', 'failed'],
    ['1', 'retry'],
    ['2', 'none'],
    ['5', 'none'],
    ['7', 'none'],
    ['03', 'none'],
  ];
  for (const [status, kind] of rows)
    it(`status '${status}' → ${kind}`, () => assert.equal(outcomeOf(status).kind, kind));

  it('priority 0–1 → 1 alarm, 2–3 → 2 high, 4+ → 3 normal', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 9].map(espaPriority), ['1', '1', '2', '2', '3', '3']);
  });

  it('message keys count up below 2^20; the send time moves on when the id wraps and never goes back', () => {
    assert.deepEqual(nextMessageKey(undefined, 100), { sendTime: 100, id: 0 });
    assert.deepEqual(nextMessageKey({ sendTime: 100, id: 5 }, 90), { sendTime: 100, id: 6 });
    assert.deepEqual(nextMessageKey({ sendTime: 100, id: 2 ** 20 - 1 }, 100), { sendTime: 101, id: 0 });
    assert.deepEqual(nextMessageKey({ sendTime: 100, id: 7 }, 200), { sendTime: 200, id: 8 });
  });
});
