// Handset reachability (adapters/dect/dect-reachability.ts) and position ranking
// (dect-position.ts): which AXI events mean switched off / out of range / back, one report per
// episode for handsets on duty, and the visible base stations strongest first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AxiEvent } from '../../adapters/dect/dect-codec.ts';
import type { PhoneTable } from '../../adapters/dect/dect-phones.ts';
import { rankPosition } from '../../adapters/dect/dect-position.ts';
import {
  episodeStep,
  opensEpisode,
  reachabilitySignal,
  type Episodes,
  type HandsetSignal,
} from '../../adapters/dect/dect-reachability.ts';

const PHONES: PhoneTable = new Map([
  [7, { ppn: 7, number: '4711', lastSeen: 0 }],
  [8, { ppn: 8, lastSeen: 0 }],
]);
const progress = (event: string): AxiEvent => ({
  type: 'EventMessageProgress',
  sendTime: 1,
  id: 2,
  toAddr: 'tel:4711',
  event,
});

describe('reachabilitySignal', () => {
  const cases: [string, AxiEvent, Pick<HandsetSignal, 'kind' | 'number'> | undefined][] = [
    // switched off: Detach, or a message to it answered TemporaryUnavailable
    ['Detach', { type: 'EventPPTransaction', trType: 'Detach', ppn: 7 }, { kind: 'switched-off', number: '4711' }],
    ['TemporaryUnavailable', progress('TemporaryUnavailable'), { kind: 'switched-off', number: '4711' }],
    // out of range: paging found no handset
    [
      'PPNotFound',
      { type: 'EventPPTransaction', trType: 'PPNotFound', ppn: 7 },
      { kind: 'out-of-range', number: '4711' },
    ],
    ['PagingTimeout', progress('PagingTimeout'), { kind: 'out-of-range', number: '4711' }],
    // back: logged on again
    ['LocReg', { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 10 }, { kind: 'back', number: '4711' }],
    // nothing: other transactions, other progress, a handset whose number is unknown, a ppn: address
    ['Release', { type: 'EventPPTransaction', trType: 'Release', ppn: 7 }, undefined],
    ['Delivered', progress('Delivered'), undefined],
    ['Detach of a handset without number', { type: 'EventPPTransaction', trType: 'Detach', ppn: 8 }, undefined],
    ['ppn: address', { ...(progress('PagingTimeout') as object), toAddr: 'ppn:7' } as AxiEvent, undefined],
  ];
  for (const [name, e, want] of cases)
    it(name, () => {
      const s = reachabilitySignal(e, PHONES);
      assert.deepEqual(s && { kind: s.kind, number: s.number }, want);
    });
});

describe('episodeStep: one report per episode, only on duty', () => {
  const off: HandsetSignal = { kind: 'switched-off', number: '4711', detail: 'Detach' };
  const lost: HandsetSignal = { kind: 'out-of-range', number: '4711', detail: 'PPNotFound' };
  const back: HandsetSignal = { kind: 'back', number: '4711', detail: 'LocReg' };
  const run = (signals: HandsetSignal[], onDuty: boolean) => {
    let open: Episodes = new Map();
    const reported: string[] = [];
    for (const s of signals) {
      const step = episodeStep(open, s, opensEpisode(open, s) && onDuty);
      open = step.open;
      if (step.report) reported.push(s.kind);
    }
    return reported;
  };
  it('off, off again, out of range, back, off: reported off, back, off', () =>
    assert.deepEqual(run([off, off, lost, back, off], true), ['switched-off', 'back', 'switched-off']));
  it('not on duty: nothing, and back without an episode is not reported', () =>
    assert.deepEqual(run([off, lost, back], false), []));
  it('back alone is not reported', () => assert.deepEqual(run([back], true), []));
});

describe('rankPosition', () => {
  it('strongest first (nearest 0 dBm), places from the table, no rssi last, ties by RFP id', () => {
    const r = rankPosition(
      {
        type: 'EventPositionInfo',
        ppn: 7,
        visible: [{ rfpId: 13 }, { rfpId: 10, rssiAvg: -80 }, { rfpId: 12, rssiAvg: -52 }, { rfpId: 11, rssiAvg: -52 }],
      },
      { 10: 'Deck 5 fore', 12: 'Bridge' },
    );
    assert.deepEqual(r.visible, [
      { rfp: 11, rssiAvg: -52 },
      { rfp: 12, rssiAvg: -52, location: 'Bridge' },
      { rfp: 10, rssiAvg: -80, location: 'Deck 5 fore' },
      { rfp: 13 },
    ]);
    assert.deepEqual(r.best, { rfp: 11, rssiAvg: -52 });
  });
  it('none visible: no best', () =>
    assert.deepEqual(rankPosition({ type: 'EventPositionInfo', ppn: 7, visible: [] }, {}), {
      visible: [],
      best: undefined,
    }));
});
