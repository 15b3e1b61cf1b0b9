/**
 * What the OMM simulator says about a handset's configuration, state and position (pure): the
 * elements of EventPPDevCnf, EventPPUserCnf, EventPPState and EventPositionInfo, written from
 * the simulated handset. Shapes as in dect-codec-pp.ts's sources (mitel-api `PPDevType`,
 * `PPUserType`; fixtures in `OmmMessageTest.cs`).
 *
 * [I] A real OMM sends the configuration events when a record changes; the simulator also
 * sends them for every handset when a link subscribes to them, so a client sees its handsets'
 * users at once (a real client would read them with GetPPDev / GetPPUser, not simulated).
 */
import type { SimHandset } from './dect-simulator-handsets.ts';
import type { SimOut } from './dect-simulator-xml.ts';

/** `<EventPPDevCnf><pp ppn uid relType hwType/></EventPPDevCnf>`: the device and its user (0: none). */
export function ppDevCnf(h: SimHandset): SimOut {
  const attrs = {
    ppn: h.ppn,
    ...(h.user !== undefined ? { uid: h.user, relType: 'Dynamic' } : {}),
    hwType: h.type,
  };
  return { name: 'EventPPDevCnf', children: [{ name: 'pp', attrs }] };
}

/** `<EventPPUserCnf><user uid ppn relType name num lang/></EventPPUserCnf>` for the handset's user, if it has one. */
export function ppUserCnf(h: SimHandset): SimOut | undefined {
  if (h.user === undefined) return undefined;
  const attrs = { uid: h.user, ppn: h.ppn, relType: 'Dynamic', name: h.name, num: h.number, lang: h.language };
  return { name: 'EventPPUserCnf', children: [{ name: 'user', attrs }] };
}

/** The user `uid` left its device: `<user uid ppn="0" relType="Unbound"/>`. */
export function ppUserUnbound(uid: number): SimOut {
  return { name: 'EventPPUserCnf', children: [{ name: 'user', attrs: { uid, ppn: 0, relType: 'Unbound' } }] };
}

/** `<EventPPState ppn … />` with the attributes that changed. */
export function ppState(h: SimHandset, changed: { isInCharger?: boolean; batteryLevel?: number }): SimOut {
  const attrs = {
    ppn: h.ppn,
    ...(changed.isInCharger !== undefined ? { isInCharger: changed.isInCharger ? 1 : 0 } : {}),
    ...(changed.batteryLevel !== undefined ? { batteryLevel: changed.batteryLevel } : {}),
  };
  return { name: 'EventPPState', attrs };
}

/** EventPositionInfo: the base stations the handset sees (none when it is off or out of range), as configured, unsorted. */
export function positionInfo(h: SimHandset): SimOut {
  const seen = !h.switchedOn || !h.inRange ? [] : (h.visible ?? [{ rfp: h.rfp, rssiAvg: h.rssiAvg }]);
  return {
    name: 'EventPositionInfo',
    attrs: { ppn: h.ppn },
    children: seen.map((v) => ({ name: 'vis', attrs: { id: v.rfp, rssiAvg: v.rssiAvg } })),
  };
}
