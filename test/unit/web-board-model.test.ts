// The live board's pure model: folding snapshot and alarm events (ended alarms move to the
// recent list; an older event never overwrites a newer one), urgency order, the next
// escalation, durations, state labels and recipient phases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyAlarm,
  applySnapshot,
  emptyBoard,
  formatDuration,
  nextEscalation,
  priorityBand,
  recipientPhase,
  RECENT_MAX,
  sortedAlarms,
  sourceOf,
  stateLabel,
  type AlarmView,
  type RecipientView,
} from '../../src/web/board/board-model.ts';

const alarm = (over: Partial<AlarmView> & { id: string }): AlarmView => ({
  type: 'generic',
  priority: 3,
  text: 'x',
  location: null,
  source: { adapter: 'http' },
  environment: 'default',
  status: 'active',
  state: 'levelA',
  plan: 'escalate@1',
  seq: 1,
  raisedAt: '2026-11-25T12:00:00.000Z',
  updatedAt: null,
  endedAt: null,
  recipients: [],
  pendingTimers: [],
  ...over,
});

const recipient = (over: Partial<RecipientView>): RecipientView => ({
  notificationId: 'n',
  recipient: 'alice',
  group: 'A',
  round: 1,
  channel: 'loopback',
  status: 'pending',
  sentAt: null,
  deliveredAt: null,
  respondedAt: null,
  response: null,
  ...over,
});

describe('board model', () => {
  it('a snapshot replaces the active alarms and ignores ended ones in it', () => {
    const b = applySnapshot(applyAlarm(emptyBoard, alarm({ id: 'old' })), [
      alarm({ id: 'a' }),
      alarm({ id: 'e', status: 'ended' }),
    ]);
    assert.deepEqual([...b.active.keys()], ['a']);
  });

  it('an alarm event adds, replaces, and moves an ended alarm to recent', () => {
    let b = applyAlarm(emptyBoard, alarm({ id: 'a', seq: 1 }));
    b = applyAlarm(b, alarm({ id: 'a', seq: 2, state: 'levelB' }));
    assert.equal(b.active.get('a')?.state, 'levelB');
    b = applyAlarm(b, alarm({ id: 'a', seq: 3, status: 'ended', state: 'accepted' }));
    assert.equal(b.active.size, 0);
    assert.deepEqual(
      b.recent.map((a) => a.state),
      ['accepted'],
    );
  });

  it('an event older than what the board holds is ignored (active and ended)', () => {
    let b = applyAlarm(emptyBoard, alarm({ id: 'a', seq: 5, state: 'levelB' }));
    b = applyAlarm(b, alarm({ id: 'a', seq: 4, state: 'levelA' }));
    assert.equal(b.active.get('a')?.state, 'levelB');
    b = applyAlarm(b, alarm({ id: 'a', seq: 6, status: 'ended' }));
    b = applyAlarm(b, alarm({ id: 'a', seq: 5 }));
    assert.equal(b.active.size, 0, 'a late active event does not revive an ended alarm');
  });

  it('keeps at most RECENT_MAX ended alarms, newest first', () => {
    let b = emptyBoard;
    for (let i = 0; i < RECENT_MAX + 3; i++) b = applyAlarm(b, alarm({ id: `e${i}`, status: 'ended' }));
    assert.equal(b.recent.length, RECENT_MAX);
    assert.equal(b.recent[0]?.id, `e${RECENT_MAX + 2}`);
  });

  it('sorts by priority (1 first, 0 = unset last), then oldest first', () => {
    let b = emptyBoard;
    b = applyAlarm(b, alarm({ id: 'p0', priority: 0 }));
    b = applyAlarm(b, alarm({ id: 'p3-new', priority: 3, raisedAt: '2026-11-25T12:05:00.000Z' }));
    b = applyAlarm(b, alarm({ id: 'p3-old', priority: 3, raisedAt: '2026-11-25T12:01:00.000Z' }));
    b = applyAlarm(b, alarm({ id: 'p1', priority: 1 }));
    assert.deepEqual(
      sortedAlarms(b).map((a) => a.id),
      ['p1', 'p3-old', 'p3-new', 'p0'],
    );
  });

  it('priority bands', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 9, 0].map(priorityBand), [
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'low',
    ]);
  });

  it('the next escalation is the earliest pending timer', () => {
    assert.equal(nextEscalation(alarm({ id: 'a' })), undefined);
    const a = alarm({
      id: 'a',
      pendingTimers: [
        { id: 't2', event: 'x', dueAt: '2026-11-25T12:02:00.000Z' },
        { id: 't1', event: 'x', dueAt: '2026-11-25T12:01:00.000Z' },
        { id: 't0', event: 'x', dueAt: null },
      ],
    });
    assert.equal(nextEscalation(a), Date.parse('2026-11-25T12:01:00.000Z'));
  });

  it('formats durations', () => {
    assert.equal(formatDuration(-5), '0:00'); // never negative (an overdue timer)
    assert.equal(formatDuration(59_999), '0:59');
    assert.equal(formatDuration(61_000), '1:01');
    assert.equal(formatDuration(3_661_000), '1:01:01');
  });

  it('labels state values, nested and parallel', () => {
    assert.equal(stateLabel('levelA'), 'levelA');
    assert.equal(stateLabel({ active: 'levelB' }), 'active.levelB');
    assert.equal(stateLabel({ a: 'x', b: { c: 'y' } }), 'a.x, b.c.y');
  });

  it('names where an alarm came from: a known adapter with its device, any other by its name', () => {
    assert.deepEqual(sourceOf({ adapter: 'dect', device: '4711' }), { known: 'dect', adapter: 'dect', device: '4711' });
    assert.deepEqual(sourceOf({ adapter: 'http' }), { known: 'http', adapter: 'http', device: '' });
    assert.deepEqual(sourceOf({ adapter: 'modbus', device: 'plc1/40001' }), {
      adapter: 'modbus',
      device: 'plc1/40001',
    });
  });

  it('a recipient shows the response first, else the delivery', () => {
    assert.equal(recipientPhase(recipient({ status: 'delivered', response: 'accept' })), 'accepted');
    assert.equal(recipientPhase(recipient({ status: 'rejected', response: 'reject' })), 'rejected');
    assert.equal(recipientPhase(recipient({ status: 'read' })), 'delivered');
    assert.equal(recipientPhase(recipient({ status: 'sent' })), 'sent');
    assert.equal(recipientPhase(recipient({ status: 'failed' })), 'failed');
    assert.equal(recipientPhase(recipient({ status: 'withdrawn' })), 'withdrawn');
    assert.equal(recipientPhase(recipient({})), 'pending');
  });
});
