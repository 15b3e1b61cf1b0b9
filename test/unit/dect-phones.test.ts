// The phones list folded from OM AXI events (adapters/dect/dect-phones.ts): a table of event
// sequences and the handset they leave; events about no handset leave the book as it was.
// Provisioning (EventPPDevCnf / EventPPUserCnf / EventPPCnf) carries only what changed, so the
// cases check that a user's number, name and language follow the user from device to device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AxiEvent } from '../../adapters/dect/dect-codec.ts';
import {
  applyPhoneEvent,
  EMPTY_PHONE_BOOK,
  phoneByNumber,
  type PhoneBook,
  type PhoneTable,
} from '../../adapters/dect/dect-phones.ts';

const LOCATIONS = { 10: 'Deck 5 fore', 11: 'Deck 5 aft', 12: 'Bridge' };
const book = (events: AxiEvent[]): PhoneBook =>
  events.reduce<PhoneBook>((b, e, i) => applyPhoneEvent(b, e, 1000 + i, LOCATIONS), EMPTY_PHONE_BOOK);
const fold = (events: AxiEvent[]): PhoneTable => book(events).phones;
/** A phone without lastSeen, for comparisons that are about the other fields. */
const fields = (t: PhoneTable, ppn: number) => {
  const p = t.get(ppn);
  if (p === undefined) return undefined;
  const { lastSeen: _lastSeen, ...rest } = p;
  return rest;
};

const devCnf = (pp: { ppn: number; uid?: number; hwType?: string }, deleted?: boolean): AxiEvent => ({
  type: 'EventPPDevCnf',
  ...(deleted ? { deleted } : {}),
  pp: [pp],
});
const userCnf = (
  user: { uid: number; ppn?: number; name?: string; num?: string; lang?: string },
  deleted?: boolean,
): AxiEvent => ({ type: 'EventPPUserCnf', ...(deleted ? { deleted } : {}), user: [user] });

describe('the phones list', () => {
  it('LocReg at a base station: logged on, there; Detach: switched off, still there', () => {
    const t = fold([
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 10 },
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 11 },
      { type: 'EventPPTransaction', trType: 'Detach', ppn: 7 },
    ]);
    assert.deepEqual(t.get(7), { ppn: 7, loggedOn: false, rfp: 11, location: 'Deck 5 aft', lastSeen: 1002 });
  });

  it('state: in the charger (or silent charging), battery; each event changes only what it carries', () => {
    const t = fold([
      { type: 'EventPPState', ppn: 7, silentCharging: true, batteryLevel: 80 },
      { type: 'EventPPState', ppn: 8, isInCharger: false },
      { type: 'EventPPState', ppn: 7, batteryLevel: 75 },
      { type: 'EventPPState', ppn: 8, isInCharger: true },
    ]);
    assert.deepEqual(t.get(7), { ppn: 7, inCharger: true, batteryLevel: 75, lastSeen: 1002 });
    assert.deepEqual(t.get(8), { ppn: 8, inCharger: true, lastSeen: 1003 });
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

  it('a position answer: the strongest base station becomes the last one, with its place', () => {
    const t = fold([
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 7, rfpId: 10 },
      {
        type: 'EventPositionInfo',
        ppn: 7,
        visible: [
          { rfpId: 10, rssiAvg: -80 },
          { rfpId: 12, rssiAvg: -52 },
          { rfpId: 11, rssiAvg: -61 },
        ],
      },
    ]);
    assert.deepEqual(fields(t, 7), { ppn: 7, loggedOn: true, rfp: 12, location: 'Bridge' });
    // No base station visible: the last known one stays.
    const after = applyPhoneEvent(book([]), { type: 'EventPositionInfo', ppn: 7, visible: [] }, 5000, LOCATIONS);
    assert.equal(after.phones.get(7), undefined);
  });

  it('events about no handset change nothing', () => {
    const b = book([{ type: 'EventPPTransaction', trType: 'LocReg', ppn: 7 }]);
    for (const e of [
      { type: 'EventMessageQueueEmpty', ppn: 7 },
      { type: 'EventAlarmTrigger', trigger: 'SOS' },
      { type: 'EventPPTransaction', trType: 'Release', ppn: 7 },
      { type: 'EventPositionInfo', ppn: 7, visible: [] },
    ] as AxiEvent[])
      assert.equal(applyPhoneEvent(b, e, 5000, LOCATIONS), b);
  });
});

describe('the phones list: provisioning', () => {
  const cases: { name: string; events: AxiEvent[]; expect: Record<number, object | undefined> }[] = [
    {
      // The device (model, its user) and the user (number, name, language) in either order.
      name: 'device then user: the user’s fields show on the device',
      events: [
        devCnf({ ppn: 7, uid: 3, hwType: '632d' }),
        userCnf({ uid: 3, name: 'Alice', num: '4711', lang: 'German' }),
      ],
      expect: { 7: { ppn: 7, model: '632d', uid: 3, name: 'Alice', number: '4711', language: 'German' } },
    },
    {
      name: 'user (with its ppn) then device',
      events: [userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }), devCnf({ ppn: 7, hwType: 'GAP' })],
      expect: { 7: { ppn: 7, uid: 3, name: 'Alice', number: '4711', model: 'GAP' } },
    },
    {
      // A later event carries only what changed (a new name): the rest stays.
      name: 'a change of name only',
      events: [
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711', lang: 'English' }),
        userCnf({ uid: 3, name: 'Alice B.' }),
      ],
      expect: { 7: { ppn: 7, uid: 3, name: 'Alice B.', number: '4711', language: 'English' } },
    },
    {
      // Logging on at another device carries only the new ppn; number and name move along.
      name: 'the user moves to another device: the fields follow, the old device loses them',
      events: [
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }),
        devCnf({ ppn: 8, hwType: '622d' }),
        userCnf({ uid: 3, ppn: 8 }),
      ],
      expect: { 7: { ppn: 7 }, 8: { ppn: 8, model: '622d', uid: 3, name: 'Alice', number: '4711' } },
    },
    {
      name: 'the device binds another user (uid on the device)',
      events: [
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }),
        userCnf({ uid: 4, name: 'Bob', num: '4712' }),
        devCnf({ ppn: 7, uid: 4 }),
      ],
      expect: { 7: { ppn: 7, uid: 4, name: 'Bob', number: '4712' } },
    },
    {
      name: 'the user logs off (ppn 0), or the device is unbound (uid 0)',
      events: [
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }),
        userCnf({ uid: 4, ppn: 8, name: 'Bob', num: '4712' }),
        userCnf({ uid: 3, ppn: 0 }),
        devCnf({ ppn: 8, uid: 0 }),
      ],
      expect: { 7: { ppn: 7 }, 8: { ppn: 8 } },
    },
    {
      name: 'a deleted user leaves its device; a deleted device leaves the list',
      events: [
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }),
        userCnf({ uid: 4, ppn: 8, name: 'Bob', num: '4712' }),
        userCnf({ uid: 3 }, true),
        devCnf({ ppn: 8 }, true),
      ],
      expect: { 7: { ppn: 7 }, 8: undefined },
    },
    {
      // EventPPCnf carries both parts (mitel-api fixture: deletedUser with only the uid).
      name: 'EventPPCnf: device and user together; deletedUser',
      events: [
        {
          type: 'EventPPCnf',
          pp: [{ ppn: 7, uid: 3, hwType: '650c' }],
          user: [{ uid: 3, ppn: 7, name: 'Carla', num: '4713' }],
        },
        { type: 'EventPPCnf', deletedUser: true, pp: [], user: [{ uid: 3 }] },
      ],
      expect: { 7: { ppn: 7, model: '650c' } },
    },
    {
      // An alarm taught the number before provisioning said anything: the user's number wins.
      name: 'provisioning overrides a number learned from an alarm',
      events: [
        { type: 'EventAlarmTrigger', trigger: 'SOS', ppn: 7, fromAddr: 'tel:1111' },
        userCnf({ uid: 3, ppn: 7, name: 'Alice', num: '4711' }),
      ],
      expect: { 7: { ppn: 7, uid: 3, name: 'Alice', number: '4711' } },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const t = fold(c.events);
      for (const [ppn, want] of Object.entries(c.expect)) assert.deepEqual(fields(t, Number(ppn)), want, `ppn ${ppn}`);
    });

  it('a user not bound to a known device is remembered until it is', () => {
    const b = book([userCnf({ uid: 3, name: 'Alice', num: '4711', lang: 'French' })]);
    assert.equal(b.phones.size, 0);
    assert.deepEqual(b.users.get(3), { uid: 3, name: 'Alice', number: '4711', language: 'French' });
    const t = applyPhoneEvent(b, userCnf({ uid: 3, ppn: 9 }), 2000, LOCATIONS).phones;
    assert.deepEqual(t.get(9), { ppn: 9, uid: 3, name: 'Alice', number: '4711', language: 'French', lastSeen: 2000 });
  });
});
