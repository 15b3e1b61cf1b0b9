/**
 * OM AXI handset provisioning, pure: the OMM's configuration events about DECT devices (`pp`,
 * PPDevType) and DECT users (`user`, PPUserType), decoded for the phones list. Part of the
 * codec (dect-codec-decode.ts calls `decodeProvisioning` for these element names).
 *
 *   <EventPPDevCnf [deleted="1"]><pp ppn="5" [uid hwType relType ipei s capMessaging …]/></EventPPDevCnf>
 *   <EventPPUserCnf [deleted="1"]><user uid="4" [ppn name num lang relType hierarchy1 hierarchy2 locatable …]/></EventPPUserCnf>
 *   <EventPPCnf [deletedDev="1"] [deletedUser="1"]>[<pp …/>][<user …/>]</EventPPCnf>
 *
 * Sources: element and attribute names from eventphone/mitel-api `Events/EventPPDevCnf.cs`,
 * `Events/EventPPUserCnf.cs`, `Events/EventPPCnf.cs`, `Types/PPDevType.cs`, `Types/PPUserType.cs`,
 * `Types/PPRelTypeType.cs` (Unbound, Dynamic, Fixed), `Types/PPLanguageType.cs`; fixtures
 * `src/mitel-api.test/OmmMessageTest.cs` (SetPPResp with `<pp … hwType="Unknown"/>` and
 * `<user … name num lang="English"/>`; `<EventPPCnf deletedUser="1"><user uid="25" uidSec="0" /></EventPPCnf>`)
 * and python mitel_ommclient2's test `<EventPPDevCnf><pp ppn="5"/></EventPPDevCnf>`.
 * The event carries only the attributes that changed (mitel-api's comment), and on deletion
 * only the key. mitel-api reads one `<pp>`/`<user>`, mitel_ommclient2 a list: every child is read.
 * [I] `ppn="0"` / `uid="0"` mean "no relation" (mitel-api: "PPNs start at 1, 0 is an invalid
 * PPN"; its SetPP fixture unbinds with uid="0" and ppn="0").
 */
import type { AxiElement } from './dect-codec.ts';
import { compact, Missing, reader } from './dect-codec-attrs.ts';

/** A DECT device's configuration, as far as the phones list reads it; only what changed is set. */
export interface PPDevFields {
  readonly ppn: number;
  /** The user bound to the device; 0: none. */
  readonly uid?: number;
  /** `Unbound`, `Dynamic` or `Fixed`. */
  readonly relType?: string;
  readonly ipei?: string;
  /** Detected model: `142d`, `612d`, `622d`, `632d`, `650c`, `GAP`, `Unknown` … (read only). */
  readonly hwType?: string;
  /** DECT subscription state (`s`, e.g. `Yes`). */
  readonly subscription?: string;
  readonly capMessaging?: boolean;
}

/** A DECT user's configuration, as far as the phones list reads it; only what changed is set. */
export interface PPUserFields {
  readonly uid: number;
  /** The device the user is bound to (logged on at); 0: none. */
  readonly ppn?: number;
  readonly relType?: string;
  readonly name?: string;
  /** The number (or SIP user id). */
  readonly num?: string;
  /** The handset's language, e.g. `English`, `German` (read only). */
  readonly lang?: string;
  readonly hierarchy1?: string;
  readonly hierarchy2?: string;
  /** Whether the user may be located. */
  readonly locatable?: boolean;
}

export type ProvisioningEvent =
  | { readonly type: 'EventPPDevCnf'; readonly deleted?: boolean; readonly pp: readonly PPDevFields[] }
  | { readonly type: 'EventPPUserCnf'; readonly deleted?: boolean; readonly user: readonly PPUserFields[] }
  | {
      readonly type: 'EventPPCnf';
      readonly deletedDev?: boolean;
      readonly deletedUser?: boolean;
      readonly pp: readonly PPDevFields[];
      readonly user: readonly PPUserFields[];
    };

export const PROVISIONING_EVENTS: ReadonlySet<string> = new Set(['EventPPDevCnf', 'EventPPUserCnf', 'EventPPCnf']);

function ppDev(el: AxiElement): PPDevFields {
  const a = reader(el);
  return compact({
    ppn: a.needInt('ppn'),
    uid: a.int('uid'),
    relType: a.str('relType'),
    ipei: a.str('ipei'),
    hwType: a.str('hwType'),
    subscription: a.str('s'),
    capMessaging: a.bool('capMessaging'),
  });
}

function ppUser(el: AxiElement): PPUserFields {
  const a = reader(el);
  return compact({
    uid: a.needInt('uid'),
    ppn: a.int('ppn'),
    relType: a.str('relType'),
    name: a.str('name'),
    num: a.str('num'),
    lang: a.str('lang'),
    hierarchy1: a.str('hierarchy1'),
    hierarchy2: a.str('hierarchy2'),
    locatable: a.bool('locatable'),
  });
}

const childrenNamed = (el: AxiElement, name: string) => el.children.filter((c) => c.name.toLowerCase() === name);

/**
 * Decodes EventPPDevCnf, EventPPUserCnf or EventPPCnf (see PROVISIONING_EVENTS). Throws
 * `Missing` (decodeAxi: `ok: false`) when a `<pp>` lacks its ppn or a `<user>` its uid, or when
 * EventPPDevCnf / EventPPUserCnf has no such child at all.
 */
export function decodeProvisioning(el: AxiElement): ProvisioningEvent {
  const a = reader(el);
  const pp = childrenNamed(el, 'pp').map(ppDev);
  const user = childrenNamed(el, 'user').map(ppUser);
  switch (el.name) {
    case 'EventPPDevCnf':
      if (pp.length === 0) throw new Missing('EventPPDevCnf: no <pp> element');
      return compact({ type: 'EventPPDevCnf', deleted: a.bool('deleted'), pp });
    case 'EventPPUserCnf':
      if (user.length === 0) throw new Missing('EventPPUserCnf: no <user> element');
      return compact({ type: 'EventPPUserCnf', deleted: a.bool('deleted'), user });
    case 'EventPPCnf':
      return compact({
        type: 'EventPPCnf',
        deletedDev: a.bool('deletedDev'),
        deletedUser: a.bool('deletedUser'),
        pp,
        user,
      });
    default:
      throw new Missing(`${el.name} is not a provisioning event`);
  }
}
