/**
 * The phones list: what Tocsin knows about each DECT handset, folded from OM AXI events (pure).
 * The OMM is the source of truth; this is its picture as the events paint it, rebuilt after a
 * restart as events arrive.
 * - `EventPPTransaction` LocReg: the handset is logged on, at base station `rfpId` when given;
 *   Detach: switched off.
 * - `EventPPState`: in charger (isInCharger, or silentCharging), battery, SIP registration.
 * - `EventPositionInfo`: the strongest base station it sees becomes its last base station.
 * - `EventAlarmTrigger` and `EventMessageSend` name a handset by ppn and number: they teach
 *   the number and, with `uid`, the user.
 * - Provisioning (`EventPPDevCnf`, `EventPPUserCnf`, `EventPPCnf`, dect-codec-pp.ts): the
 *   device's model (hwType) and its user; the user's number, name and language. The events
 *   carry only what changed, so the users are kept apart (by uid) and projected onto the device
 *   they are bound to: a user who logs on at another device takes number, name and language
 *   along, and the device left behind loses them. A deleted device leaves the list.
 * - The location is the last base station's name from the RFP → location table.
 */
import { TEL_ADDRESS } from '../../src/domain/handsets.ts';
import type { PhoneInfo } from '../../src/ports/phones.ts';
import type { AxiEvent, PPDevFields, PPUserFields } from './dect-codec.ts';

/** A handset of the phones list: the Phones port's shape (src/ports/phones.ts). */
export type Phone = PhoneInfo;

export type PhoneTable = ReadonlyMap<number, Phone>;

/** A DECT user as the provisioning events describe it, by uid. */
export interface PhoneUser {
  readonly uid: number;
  readonly number?: string;
  readonly name?: string;
  readonly language?: string;
}

/** The fold's state: the handsets by ppn (the list) and the users by uid. */
export interface PhoneBook {
  readonly phones: PhoneTable;
  readonly users: ReadonlyMap<number, PhoneUser>;
}

export const EMPTY_PHONE_BOOK: PhoneBook = { phones: new Map(), users: new Map() };

type Change = Partial<Omit<Phone, 'ppn' | 'lastSeen'>>;

const numberOf = (addr: string | undefined): string | undefined => {
  const m = TEL_ADDRESS.exec(addr ?? '');
  return m ? m[1] : undefined;
};

/** Only the defined values of `o`. */
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The user's fields as they show on the handset. */
const userFields = (u: PhoneUser | undefined): Change =>
  u === undefined ? {} : defined({ uid: u.uid, number: u.number, name: u.name, language: u.language });

/** A handset without its user's fields. */
function withoutUser(p: Phone): Phone {
  const { uid: _uid, number: _number, name: _name, language: _language, ...rest } = p;
  return rest;
}

/** The book after `e` (the same book when `e` says nothing about a handset or a user). Pure. */
export function applyPhoneEvent(
  book: PhoneBook,
  e: AxiEvent | { type: 'Unknown'; name: string },
  at: number,
  locations: Readonly<Record<number, string>>,
): PhoneBook {
  const phones = new Map(book.phones);
  const users = new Map(book.users);
  let changed = false;

  const put = (ppn: number, next: Phone): void => {
    const location = next.rfp === undefined ? undefined : locations[next.rfp];
    const { location: _old, ...rest } = next;
    phones.set(ppn, { ...rest, ...(location !== undefined ? { location } : {}), ppn, lastSeen: at });
    changed = true;
  };
  const patch = (ppn: number, change: Change): void => put(ppn, { ...phones.get(ppn), ...change, ppn, lastSeen: at });
  const holderOf = (uid: number): Phone | undefined => [...phones.values()].find((p) => p.uid === uid);
  /** Binds user `uid` to device `ppn` (0: to none), moving the user's fields along. */
  const bind = (ppn: number | undefined, uid: number): void => {
    const holder = holderOf(uid);
    if (holder !== undefined && holder.ppn !== ppn) put(holder.ppn, withoutUser(holder));
    if (ppn !== undefined && ppn > 0)
      put(ppn, { ...withoutUser(phones.get(ppn) ?? { ppn, lastSeen: at }), ...userFields(users.get(uid) ?? { uid }) });
  };
  const device = (pp: PPDevFields, deleted: boolean): void => {
    if (deleted) {
      changed = phones.delete(pp.ppn) || changed;
      return;
    }
    patch(pp.ppn, pp.hwType !== undefined ? { model: pp.hwType } : {});
    if (pp.uid === 0) put(pp.ppn, withoutUser(phones.get(pp.ppn)!));
    else if (pp.uid !== undefined && phones.get(pp.ppn)?.uid !== pp.uid) bind(pp.ppn, pp.uid);
  };
  const user = (u: PPUserFields, deleted: boolean): void => {
    changed = true;
    if (deleted) {
      users.delete(u.uid);
      bind(undefined, u.uid);
      return;
    }
    const merged: PhoneUser = {
      ...users.get(u.uid),
      ...defined({ uid: u.uid, number: u.num, name: u.name, language: u.lang }),
    } as PhoneUser;
    users.set(u.uid, merged);
    const ppn = u.ppn ?? holderOf(u.uid)?.ppn;
    if (u.ppn === 0) bind(undefined, u.uid);
    else if (ppn !== undefined) bind(ppn, u.uid);
  };

  switch (e.type) {
    case 'EventPPTransaction':
      if (e.trType === 'LocReg') patch(e.ppn, { loggedOn: true, ...(e.rfpId !== undefined ? { rfp: e.rfpId } : {}) });
      else if (e.trType === 'Detach') patch(e.ppn, { loggedOn: false });
      else if (e.rfpId !== undefined) patch(e.ppn, { rfp: e.rfpId });
      break;
    case 'EventPPState': {
      const inCharger = e.isInCharger ?? e.silentCharging;
      patch(e.ppn, defined({ inCharger, batteryLevel: e.batteryLevel }));
      break;
    }
    case 'EventPositionInfo': {
      const best = strongest(e.visible);
      if (best !== undefined) patch(e.ppn, { rfp: best.rfpId });
      break;
    }
    case 'EventAlarmTrigger':
      if (e.ppn !== undefined) patch(e.ppn, defined({ number: numberOf(e.fromAddr), uid: e.uid }));
      break;
    case 'EventMessageSend':
      if (e.msg.ppn !== undefined) patch(e.msg.ppn, defined({ number: numberOf(e.msg.fromAddr), uid: e.msg.uid }));
      break;
    case 'EventPPDevCnf':
      for (const pp of e.pp) device(pp, e.deleted === true);
      break;
    case 'EventPPUserCnf':
      for (const u of e.user) user(u, e.deleted === true);
      break;
    case 'EventPPCnf':
      for (const u of e.user) user(u, e.deletedUser === true);
      for (const pp of e.pp) device(pp, e.deletedDev === true);
      break;
    default:
      break;
  }
  return changed ? { phones, users } : book;
}

/** The base stations in order of signal, strongest first (no rssiAvg: last); ties by RFP id. */
export function byStrength<T extends { readonly rfpId: number; readonly rssiAvg?: number }>(
  visible: readonly T[],
): T[] {
  const rssi = (v: T) => v.rssiAvg ?? -Infinity;
  return [...visible].sort((a, b) => rssi(b) - rssi(a) || a.rfpId - b.rfpId);
}

function strongest<T extends { readonly rfpId: number; readonly rssiAvg?: number }>(visible: readonly T[]) {
  return byStrength(visible)[0];
}

/** The handset with `number`, if the table knows it. */
export function phoneByNumber(table: PhoneTable, number: string): Phone | undefined {
  for (const p of table.values()) if (p.number === number) return p;
  return undefined;
}
