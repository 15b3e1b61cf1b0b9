// The phones list folded from OM AXI events (adapters/dect/dect-phones.ts): a table of event
// sequences and the handset they leave; events about no handset leave the table as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AxiEvent } from '../../adapters/dect/dect-codec.ts';
import { applyPhoneEvent, phoneByNumber, type PhoneTable } from '../../adapters/dect/dect-phones.ts';

const LOCATIONS = { 10: 'Deck 5 fore', 11: 'Deck 5 aft' };
const fold = (events: AxiEvent[]): PhoneTable =>
  events.reduce<PhoneTable>((t, e, i) => applyPhoneEvent(t, e, 1000 + i, LOCATIONS), new Map());

describe('the phones list', () => {
  it('LocReg at a base station: logged on, there; Detach: switched off, still there', () => {
    const t = fold([
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 10 },
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 11 },
      { type: 'EventPPTransaction', trType: 'Detach', ppn: 7 },
    ]);
    assert.deepEqual(t.get(7), { ppn: 7, loggedOn: false, rfp: 11, location: 'Deck 5 aft', lastSeen: 1002 });
  });

  it('state: in the charger (or silent charging), battery', () => {
    const t = fold([
      { type: 'EventPPState', ppn: 7, silentCharging: true, batteryLevel: 80 },
      { type: 'EventPPState', ppn: 8, isInCharger: false },
    ]);
    assert.deepEqual(t.get(7), { ppn: 7, inCharger: true, batteryLevel: 80, lastSeen: 1000 });
    assert.deepEqual(t.get(8), { ppn: 8, inCharger: false, lastSeen: 1001 });
  });

  it('an alarm or a typed message teaches the number and the user', () => {
    const t = fold([
      { type: 'EventAlarmTrigger', trigger: 'SOS', ppn: 7, uid: 3, fromAddr: 'Tel:4711' },
      { type: 'EventMessageSend', msg: { ppn: 8, fromAddr: 'tel:4712', content: 'x' } },
    ]);
    assert.equal(phoneByNumber(t, '4711')?.ppn, 7);
    assert.equal(t.get(7)?.uid, 3);
    assert.equal(phoneByNumber(t, '4712')?.ppn, 8);
    assert.equal(phoneByNumber(t, '9999'), undefined);
  });

  it('events about no handset change nothing', () => {
    const t = fold([{ type: 'EventPPTransaction', trType: 'LocReg', ppn: 7 }]);
    for (const e of [
      { type: 'EventMessageQueueEmpty', ppn: 7 },
      { type: 'EventAlarmTrigger', trigger: 'SOS' },
      { type: 'EventPPTransaction', trType: 'Release', ppn: 7 },
    ] as AxiEvent[])
      assert.equal(applyPhoneEvent(t, e, 5000, LOCATIONS), t);
  });
});
