/**
 * The phones list: what Tocsin knows about each DECT handset, folded from OM AXI events (pure).
 * The OMM is the source of truth; this is its picture as the events paint it, rebuilt after a
 * restart as events arrive.
 * - `EventPPTransaction` LocReg: the handset is logged on, at base station `rfpId` when given;
 *   Detach: switched off.
 * - `EventPPState`: in charger (isInCharger, or silentCharging), battery, SIP registration.
 * - `EventAlarmTrigger` and `EventMessageSend` name a handset by ppn and number: they teach
 *   the number and, with `uid`, the user.
 * - The location is the last base station's name from the RFP → location table.
 */
import { TEL_ADDRESS } from '../../src/domain/handsets.ts';
import type { PhoneInfo } from '../../src/ports/phones.ts';
import type { AxiEvent } from './dect-codec.ts';

/** A handset of the phones list: the Phones port's shape (src/ports/phones.ts). */
export type Phone = PhoneInfo;

export type PhoneTable = ReadonlyMap<number, Phone>;

const numberOf = (addr: string | undefined): string | undefined => {
  const m = TEL_ADDRESS.exec(addr ?? '');
  return m ? m[1] : undefined;
};

/** The table after `e` (the same table when `e` says nothing about a handset). Pure. */
export function applyPhoneEvent(
  table: PhoneTable,
  e: AxiEvent | { type: 'Unknown'; name: string },
  at: number,
  locations: Readonly<Record<number, string>>,
): PhoneTable {
  const patch = (ppn: number, change: Partial<Omit<Phone, 'ppn' | 'lastSeen'>>): PhoneTable => {
    const before = table.get(ppn);
    const rfp = change.rfp ?? before?.rfp;
    const location = rfp === undefined ? undefined : locations[rfp];
    const next: Phone = {
      ...before,
      ...change,
      ppn,
      ...(location !== undefined ? { location } : {}),
      lastSeen: at,
    };
    return new Map(table).set(ppn, next);
  };
  switch (e.type) {
    case 'EventPPTransaction':
      if (e.trType === 'LocReg')
        return patch(e.ppn, { loggedOn: true, ...(e.rfpId !== undefined ? { rfp: e.rfpId } : {}) });
      if (e.trType === 'Detach') return patch(e.ppn, { loggedOn: false });
      return e.rfpId !== undefined ? patch(e.ppn, { rfp: e.rfpId }) : table;
    case 'EventPPState': {
      const inCharger = e.isInCharger ?? e.silentCharging;
      return patch(e.ppn, {
        ...(inCharger !== undefined ? { inCharger } : {}),
        ...(e.batteryLevel !== undefined ? { batteryLevel: e.batteryLevel } : {}),
      });
    }
    case 'EventAlarmTrigger': {
      const number = numberOf(e.fromAddr);
      if (e.ppn === undefined) return table;
      return patch(e.ppn, { ...(number ? { number } : {}), ...(e.uid !== undefined ? { uid: e.uid } : {}) });
    }
    case 'EventMessageSend': {
      const number = numberOf(e.msg.fromAddr);
      if (e.msg.ppn === undefined) return table;
      return patch(e.msg.ppn, {
        ...(number ? { number } : {}),
        ...(e.msg.uid !== undefined ? { uid: e.msg.uid } : {}),
      });
    }
    default:
      return table;
  }
}

/** The handset with `number`, if the table knows it. */
export function phoneByNumber(table: PhoneTable, number: string): Phone | undefined {
  for (const p of table.values()) if (p.number === number) return p;
  return undefined;
}
