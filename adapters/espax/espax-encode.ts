/**
 * ESPA-X encoder: every message the server sends, as one document (protocols.md §3.2). Pure;
 * the timestamp comes from the caller's clock.
 *
 *   <ESPA-X xmlns="http://ns.espa-x.org/espa-x" version="1.00" timestamp="YYYY-MM-DDThh:mm:ss">
 *     <RSP.NAME invokeID="n" sessionID="s">…fields…</RSP.NAME>
 *   </ESPA-X>
 *
 * Timestamps are UTC, written without a zone as in the specification's examples. Text is
 * escaped, characters XML 1.0 forbids are dropped, and every field is cut to its §3.2 limit
 * (FIELD_LIMITS, by code point) or stripped to its allowed characters; a field left empty is
 * left out. The output always validates against test/fixtures/espax/espa-x.xsd, whatever the
 * input; it never throws.
 */
import {
  ESPAX_NAMESPACE,
  ESPAX_VERSION,
  FIELD_LIMITS,
  RSP_REASONS,
  type Direction,
  type EndReason,
  type EventResult,
  type EventStatus,
  type Health,
  type LimitedField,
  type Load,
  type ProcessResult,
  type ProcessStatus,
  type ResponseName,
  type RspCode,
  type ShutdownMode,
  type ShutdownReason,
} from './espax-protocol.ts';

/** What identifies a process in an indication. */
export interface ProcessRef {
  readonly tan: number;
  readonly ref?: string | undefined;
  readonly groupId?: string | undefined;
  readonly phoneNo?: string | undefined;
  /** SP-PR-NAME: what the process is (Tocsin: the alarm type). */
  readonly name?: string | undefined;
  /** SP-CREATED, epoch ms. */
  readonly created?: number | undefined;
}

interface Response {
  readonly invokeId: string;
  /** Absent only before login (no session yet). */
  readonly sessionId?: string | undefined;
  readonly code: RspCode;
  readonly info?: string | undefined;
}

export type ServerMessage =
  | ({ readonly type: 'RSP.LOGIN'; readonly server: string; readonly serverSw: string } & Response)
  | ({ readonly type: Exclude<ResponseName, 'RSP.LOGIN' | 'RSP.S-CONDITION' | 'RSP.P-START'> } & Response)
  | ({
      readonly type: 'RSP.S-CONDITION';
      readonly health?: Health | undefined;
      readonly hotStandby?: boolean | undefined;
      readonly load?: Load | undefined;
    } & Response)
  | ({ readonly type: 'RSP.P-START'; readonly ref?: string | undefined; readonly tan?: number | undefined } & Response)
  | { readonly type: 'IND.ERROR'; readonly server: string; readonly code: RspCode; readonly info?: string | undefined }
  | {
      readonly type: 'IND.P-STARTED';
      readonly sessionId: string;
      readonly process: ProcessRef;
      readonly status?: ProcessStatus | undefined;
    }
  | {
      readonly type: 'IND.P-STATUS';
      readonly sessionId: string;
      readonly process: ProcessRef;
      readonly status?: ProcessStatus | undefined;
      readonly result?: ProcessResult | undefined;
      /** SP-GETSTAT: true when the indication answers a P-GETSTAT. */
      readonly getstat?: boolean | undefined;
    }
  | {
      readonly type: 'IND.P-EVENT';
      readonly sessionId: string;
      readonly process: ProcessRef;
      readonly number?: string | undefined;
      readonly name?: string | undefined;
      readonly key?: string | undefined;
      readonly direction?: Direction | undefined;
      readonly status?: EventStatus | undefined;
      readonly result: EventResult;
    }
  | {
      readonly type: 'IND.P-ENDED';
      readonly sessionId: string;
      readonly process: ProcessRef;
      readonly endReason: EndReason;
      readonly result?: ProcessResult | undefined;
      readonly endInfo?: string | undefined;
    }
  | {
      readonly type: 'CMD.SHUTDOWN';
      readonly sessionId: string;
      readonly reason: ShutdownReason;
      readonly mode: ShutdownMode;
    };

type Field = readonly [name: string, value: string | undefined];

/** Drops what XML 1.0 cannot carry: control characters, lone surrogates, U+FFFE/U+FFFF. */
export function xmlSafe(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  );
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

/** `s` fitted to a field's limits: allowed characters only, at most `max` code points, trimmed. */
export function fitField(name: LimitedField, s: string): string {
  const limit: { max: number; allowed?: RegExp } = FIELD_LIMITS[name];
  let chars = Array.from(xmlSafe(s).trim());
  if (limit.allowed) chars = chars.filter((c) => limit.allowed!.test(c));
  return chars.slice(0, limit.max).join('').trim();
}

/** `YYYY-MM-DDThh:mm:ss` in UTC. */
export function espaxTimestamp(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const iso = Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00' : d.toISOString();
  return iso.slice(0, 19);
}

const lim = (name: LimitedField, v: string | undefined): Field => [
  name,
  v === undefined ? undefined : fitField(name, v),
];
const plain = (name: string, v: string | number | boolean | undefined): Field => [
  name,
  v === undefined ? undefined : String(v),
];

function rsp(r: Response, infoRequired = false): Field[] {
  const info = r.info === undefined ? undefined : fitField('RSP-INFO', r.info);
  return [
    ['RSP-CODE', String(r.code)],
    ['RSP-REASON', RSP_REASONS[r.code]],
    ['RSP-INFO', info || (infoRequired ? RSP_REASONS[r.code] : undefined)],
  ];
}

function process(p: ProcessRef, extra: readonly Field[] = []): Field[] {
  return [
    lim('CP-PR-REF', p.ref),
    lim('CP-GROUPID', p.groupId),
    lim('CP-PHONENO', p.phoneNo),
    plain('SP-PR-TAN', tanOf(p.tan)),
    lim('SP-PR-NAME', p.name),
    plain('SP-CREATED', p.created === undefined ? undefined : espaxTimestamp(p.created)),
    ...extra,
  ];
}

/** A TAN as an unsigned long; anything else becomes 0 (never an invalid document). */
const tanOf = (tan: number | undefined) =>
  tan === undefined ? undefined : Number.isSafeInteger(tan) && tan >= 0 ? tan : 0;

/** The fields of `m`, in the order written. */
function fieldsOf(m: ServerMessage): Field[] {
  switch (m.type) {
    case 'RSP.LOGIN':
      return [
        ['LI-SERVER', fitField('LI-SERVER', m.server) || 'Tocsin'],
        ['LI-SERVERSW', fitField('LI-SERVERSW', m.serverSw) || 'Tocsin'],
        ...rsp(m, true),
      ];
    case 'RSP.LOGOUT':
      return rsp(m, true);
    case 'RSP.HEARTBEAT':
    case 'RSP.P-STOP':
    case 'RSP.P-GETSTAT':
    case 'RSP.S-PARAMETERS':
      return rsp(m);
    case 'RSP.S-CONDITION':
      return [
        ...rsp(m),
        plain('S-HEALTH', m.health ?? 'OK'),
        plain('S-HOTSTBY', m.hotStandby),
        plain('S-LOAD', m.load),
      ];
    case 'RSP.P-START':
      return [...rsp(m), lim('CP-PR-REF', m.ref), plain('SP-PR-TAN', tanOf(m.tan))];
    case 'IND.ERROR':
      return [['LI-SERVER', fitField('LI-SERVER', m.server) || 'Tocsin'], ...rsp({ ...m, invokeId: '0' })];
    case 'IND.P-STARTED':
      return process(m.process, [plain('SP-STATUS', m.status)]);
    case 'IND.P-STATUS':
      return process(m.process, [
        plain('SP-STATUS', m.status),
        plain('SP-RESULT', m.result),
        plain('SP-GETSTAT', m.getstat),
      ]);
    case 'IND.P-EVENT':
      return [
        lim('CP-PR-REF', m.process.ref),
        plain('SP-PR-TAN', tanOf(m.process.tan)),
        lim('SS-NETW-NO', m.number),
        lim('SS-NETW-NAME', m.name),
        lim('SS-KEY', m.key),
        plain('SS-DIRECTION', m.direction),
        plain('SS-STATUS', m.status),
        plain('SS-RESULT', m.result),
      ];
    case 'IND.P-ENDED':
      return process(m.process, [
        lim('SP-ENDINFO', m.endInfo),
        plain('SP-ENDREASON', m.endReason),
        plain('SP-RESULT', m.result),
      ]);
    case 'CMD.SHUTDOWN':
      return [plain('SD-REASON', m.reason), plain('SD-MODE', m.mode)];
    default: {
      const never: never = m;
      return never;
    }
  }
}

/** The invokeID a message echoes (for the frame header), if any. */
export function invokeIdOf(m: ServerMessage): string | undefined {
  return 'invokeId' in m ? m.invokeId : undefined;
}

/** One document for `m`, stamped with `nowMs` (epoch ms). Never throws. */
export function encodeEspax(m: ServerMessage, nowMs: number): string {
  const attrs: string[] = [];
  if ('invokeId' in m) attrs.push(` invokeID="${/^[0-9]{1,20}$/.test(m.invokeId) ? m.invokeId : '0'}"`);
  if ('sessionId' in m && m.sessionId !== undefined) {
    // Indications and commands must carry one: an id with nothing XML can carry becomes '0'.
    const sid = Array.from(xmlSafe(m.sessionId)).slice(0, 32).join('') || (m.type.startsWith('RSP.') ? '' : '0');
    if (sid !== '') attrs.push(` sessionID="${escapeXml(sid)}"`);
  }
  const body = fieldsOf(m)
    .filter((f): f is readonly [string, string] => f[1] !== undefined && f[1] !== '')
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const open = `<${m.type}${attrs.join('')}`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ESPA-X xmlns="${ESPAX_NAMESPACE}" version="${ESPAX_VERSION}" timestamp="${espaxTimestamp(nowMs)}">` +
    (body === '' ? `${open}/>` : `${open}>${body}</${m.type}>`) +
    `</ESPA-X>`
  );
}
