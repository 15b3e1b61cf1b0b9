/**
 * OM AXI codec (protocols.md §1), pure: one frame's XML text ↔ typed messages. Framing (the
 * NUL after each element) is dect-framing.ts's job.
 *
 *   frame    = element                 UTF-8, no XML declaration, no namespace
 *   element  = <Name a="v" … />        the root's name is the message type
 *            | <Name a="v" …>children</Name>
 *   request  = <Open|Subscribe|Ping|SendMessage|… seq="n" …>     response = <…Resp seq="n" [errCode info bad maxLen]>
 *   event    = <Event… …>              no seq
 *
 * Decoding is lenient and never throws: unknown messages come back as `Unknown`, unknown
 * attributes are ignored, attribute names are matched exactly first and then ignoring case
 * (the OMM's `Content` vs the XSD's `content`), booleans may be 1/0/true/false, the scheme of
 * an address is lowercased (`Tel:8378` → `tel:8378`). A frame that is not exactly one
 * well-formed element, or that declares a DOCTYPE or entities, is refused, as is a known
 * message that lacks an attribute the adapter cannot do without.
 *
 * Encoding is strict and throws RangeError on values the OMM would refuse or misread.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isDectRegDomain, DECT_REG_DOMAINS, type DectRegDomain } from './dect-band.ts';
import { child, compact, int, Missing, reader } from './dect-codec-attrs.ts';
import { decodeProvisioning, PROVISIONING_EVENTS, type ProvisioningEvent } from './dect-codec-pp.ts';

export { normalizeAddress } from './dect-codec-attrs.ts';

/** A closed set of known values that still lets through what a newer OMM may send. */
export type KnownOr<T extends string> = T | (string & {});

export type AxiErrorCode =
  | 'EAuth'
  | 'EInval'
  | 'EMissing'
  | 'ENoEnt'
  | 'EPerm'
  | 'ETooLong'
  | 'EFailed'
  | 'EForbidden'
  | 'EInProgress'
  | 'ENoMem'
  | 'EExist'
  | 'EInvalidChars'
  | 'EAreaFull'
  /** "A DECT regulatory domain must be set before the request can be performed" (mitel-api `Types/OmmError.cs`). */
  | 'EDectRegDomainInvalid';
export type MessagePriority = 'Info' | 'Low' | 'Normal' | 'High' | 'Emergency' | 'LocatingAlert';
export type ConfirmationChoice =
  | 'ReadYes'
  | 'ReadNo'
  | 'OrderOk'
  | 'OrderNok'
  | 'OrderDontKnow'
  | 'CompleteDone'
  | 'CompleteNotDone'
  | 'CompleteFailed';
export type MessageProgressEvent =
  | 'Delivered'
  | 'PagingTimeout'
  | 'Busy'
  | 'TemporaryUnavailable'
  | 'Rejected'
  | 'WrongCharacterSet'
  | 'WrongURI'
  | 'Unknown'
  | 'Overridden'
  | 'DeleteDelivered'
  | 'DeleteOverridden';

/** Message ids must be below this from SIP-DECT 7.0 on (protocols.md §1.4). */
export const MESSAGE_ID_LIMIT = 1 << 20;
/** At most this many `<e>` entries per Subscribe (§1.3). */
export const MAX_SUBSCRIBE_ENTRIES = 20;
/** The element name of confirmation choices is an open question (protocols.md): both are read. */
export type ConfirmElement = 'confirm' | 'confirmReq';

// ---------------------------------------------------------------------------------------------
// Requests (what the adapter sends). Each decodes back to itself (the round-trip tests).

export interface SubscribeEntry {
  readonly cmd: 'On' | 'Off';
  readonly eventType: string;
  readonly ppn?: number;
  readonly uid?: number;
  readonly rfpId?: number;
  readonly omm?: number;
  readonly trigger?: string;
  readonly scheme?: string;
}

export interface OutgoingMessage {
  /** Unix seconds in the DECT system's local time. */
  readonly sendTime: number;
  /** 0 ≤ id < MESSAGE_ID_LIMIT; (sendTime, id) identifies the message. */
  readonly id: number;
  readonly toAddr: string;
  readonly toName?: string;
  readonly fromAddr?: string;
  readonly fromName?: string;
  readonly callbackAddr?: string;
  readonly callbackName?: string;
  readonly priority: KnownOr<MessagePriority>;
  readonly popUp?: boolean;
  readonly content: string;
  /** 0 = the handset's own setting, 1–100 %. Set it whenever a ringer or vibra option is set. */
  readonly signallingVolume?: number;
  readonly vibraCall?: boolean;
  readonly ringerTone?: boolean;
  readonly melody?: string;
  /** Up to 3 answers offered on the handset. */
  readonly confirmations: readonly KnownOr<ConfirmationChoice>[];
}

/** The attributes that name a sent message, for DeleteMessage and CancelMessage. */
export interface MessageRef {
  readonly sendTime: number;
  readonly id: number;
  readonly toAddr: string;
}

export type AxiRequest =
  | { readonly type: 'Open'; readonly seq: number; readonly username: string; readonly password: string }
  | { readonly type: 'Subscribe'; readonly seq: number; readonly entries: readonly SubscribeEntry[] }
  | { readonly type: 'Ping'; readonly seq: number; readonly timeStamp: number }
  | {
      readonly type: 'SendMessage';
      readonly seq: number;
      readonly msg: OutgoingMessage;
      /** Default 'confirm' (mitel-api); a decoded SendMessage reports it only if it had choices. */
      readonly confirmElement?: ConfirmElement;
    }
  | ({ readonly type: 'DeleteMessage' | 'CancelMessage'; readonly seq: number } & MessageRef)
  | { readonly type: 'GetPPState' | 'RequestPositionInfo'; readonly seq: number; readonly ppn: number }
  | { readonly type: 'GetDECTRegDomain'; readonly seq: number }
  /** Encoding refuses a regDomain outside DECT_REG_DOMAINS; decoding reports what came. */
  | { readonly type: 'SetDECTRegDomain'; readonly seq: number; readonly regDomain: KnownOr<DectRegDomain> };

// ---------------------------------------------------------------------------------------------
// Responses and events (what the OMM sends).

/** Present on every response; `errCode` absent means success. */
export interface ResponseFields {
  readonly seq?: number;
  readonly errCode?: KnownOr<AxiErrorCode>;
  readonly info?: string;
  readonly bad?: string;
  readonly maxLen?: number;
}

/** A handset's state as GetPPStateResp and EventPPState report it; only what changed is set. */
export interface PPStateFields {
  readonly onHook?: boolean;
  readonly silentCharging?: boolean;
  readonly batteryLevel?: number;
  readonly swVersion?: string;
  readonly callState?: string;
  readonly registered?: boolean;
  readonly regServerType?: string;
  readonly regServerAddr?: string;
  readonly regServerPort?: number;
  readonly isInCharger?: boolean;
  readonly isUsbConnected?: boolean;
}

/** A message typed on a handset (EventMessageSend's `<msg>`). */
export interface ReceivedMessage {
  readonly sendTime?: number;
  readonly id?: number;
  readonly ppn?: number;
  readonly uid?: number;
  readonly fromAddr: string;
  readonly fromName?: string;
  readonly toAddr?: string;
  readonly toName?: string;
  readonly priority?: KnownOr<MessagePriority>;
  readonly folder?: string;
  readonly content: string;
}

export type AxiResponse =
  | ({
      readonly type: 'OpenResp';
      readonly protocolVersion?: number;
      readonly ommVersion?: string;
      readonly axiVersion?: string;
      readonly ommAxiSpecVersion?: string;
      readonly ommStbState?: string;
    } & ResponseFields)
  | ({ readonly type: 'SubscribeResp'; readonly eventType?: string } & ResponseFields)
  | ({ readonly type: 'PingResp'; readonly timeStamp?: number } & ResponseFields)
  | ({
      readonly type: 'SendMessageResp' | 'DeleteMessageResp' | 'CancelMessageResp' | 'RequestPositionInfoResp';
    } & ResponseFields)
  | ({ readonly type: 'GetPPStateResp'; readonly ppn?: number } & PPStateFields & ResponseFields)
  /** The XSD's GetSetDECTRegDomainRespType: the domain in force (a refusal may leave it out). */
  | ({
      readonly type: 'GetDECTRegDomainResp' | 'SetDECTRegDomainResp';
      readonly regDomain?: KnownOr<DectRegDomain>;
    } & ResponseFields);

export type { PPDevFields, PPUserFields, ProvisioningEvent } from './dect-codec-pp.ts';

export type AxiEvent =
  /** Handset provisioning: EventPPDevCnf, EventPPUserCnf, EventPPCnf (dect-codec-pp.ts). */
  | ProvisioningEvent
  | ({
      readonly type: 'EventMessageProgress';
      readonly event: KnownOr<MessageProgressEvent>;
      readonly ppn?: number;
    } & MessageRef)
  | ({
      readonly type: 'EventMessageConfirmation';
      readonly fromAddr?: string;
      readonly confTime?: number;
      readonly confirmation: KnownOr<ConfirmationChoice>;
    } & MessageRef)
  | { readonly type: 'EventMessageQueueEmpty'; readonly ppn: number }
  | {
      readonly type: 'EventAlarmTrigger';
      readonly trigger: string;
      readonly sendTime?: number;
      readonly id?: number;
      readonly ppn?: number;
      readonly uid?: number;
      readonly fromAddr?: string;
      readonly toAddr?: string;
      readonly dialSuffix?: string;
      /** `content` in the XSD, `Content` in mitel-api's class: both are read. */
      readonly content?: string;
    }
  | {
      readonly type: 'EventAlarmCallProgress';
      readonly state: string;
      readonly ppn?: number;
      readonly trigger?: string;
      readonly id?: number;
      readonly destAddr?: string;
    }
  | { readonly type: 'EventMessageSend'; readonly alwaysIndirect?: boolean; readonly msg: ReceivedMessage }
  | ({ readonly type: 'EventPPState'; readonly ppn: number } & PPStateFields)
  | { readonly type: 'EventPPTransaction'; readonly trType: string; readonly ppn: number; readonly rfpId?: number }
  | {
      readonly type: 'EventPositionInfo';
      readonly ppn: number;
      /** The base stations the handset sees; `rssiAvg` in dBm, negative (protocols.md open question 3). */
      readonly visible: readonly { readonly rfpId: number; readonly rssiAvg?: number }[];
    }
  | {
      readonly type: 'EventRFPState';
      readonly rfpId: number;
      readonly connected?: boolean;
      readonly syncState?: string;
      /** Every changed attribute as sent (root and `<rfp>` child merged), for logging. */
      readonly attributes: Readonly<Record<string, string>>;
    };

export interface UnknownMessage {
  readonly type: 'Unknown';
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export type AxiMessage = AxiRequest | AxiResponse | AxiEvent | UnknownMessage;

export type DecodeResult =
  | { readonly ok: true; readonly message: AxiMessage }
  | { readonly ok: false; readonly reason: string; readonly frame: string };

/** One element with its attribute values and text already unescaped. */
export interface AxiElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly AxiElement[];
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------
// Reading XML

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Entities: none from the document (DOCTYPE is refused up front) and none from HTML; the five
  // XML ones and character references are decoded below, by us.
  processEntities: false,
  htmlEntities: false,
  // CDATA is kept apart so that its text is taken literally, not unescaped.
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five XML entities and character references; anything else stays as written. */
function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code <= 0x10ffff && isXmlChar(code) ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[body] ?? whole;
  });
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000
  );
}

type Node = Record<string, unknown>;

function toElement(node: Node): AxiElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name.startsWith('#') || name.startsWith('?')) return undefined;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[':@'] as Record<string, unknown> | undefined) ?? {})) {
    attrs[k] = unescapeXml(String(v));
  }
  const children: AxiElement[] = [];
  let text = '';
  const body = node[name];
  for (const child of Array.isArray(body) ? (body as Node[]) : []) {
    if ('#text' in child) text += unescapeXml(String(child['#text']));
    else if ('#cdata' in child) {
      for (const part of Array.isArray(child['#cdata']) ? (child['#cdata'] as Node[]) : [])
        text += String(part['#text'] ?? '');
    } else {
      const el = toElement(child);
      if (el !== undefined) children.push(el);
    }
  }
  return { name, attrs, children, text };
}

/** Reads one frame's XML into an element tree; never throws. */
export function parseAxiElement(xml: string): { ok: true; element: AxiElement } | { ok: false; reason: string } {
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, reason: 'DOCTYPE and entity declarations are refused' };
  const trimmed = text.trim();
  if (!trimmed.startsWith('<') || !trimmed.endsWith('>')) return { ok: false, reason: 'text outside the root element' };
  try {
    const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (valid !== true) return { ok: false, reason: `not well-formed XML: ${valid.err.msg}` };
    const roots: AxiElement[] = [];
    for (const node of parser.parse(text) as Node[]) {
      if ('#text' in node) {
        if (String(node['#text']).trim() !== '') return { ok: false, reason: 'text outside the root element' };
        continue;
      }
      const el = toElement(node);
      if (el !== undefined) roots.push(el);
    }
    if (roots.length === 0) return { ok: false, reason: 'no root element' };
    if (roots.length > 1) return { ok: false, reason: `${roots.length} root elements, expected one` };
    return { ok: true, element: roots[0]! };
  } catch (e) {
    return { ok: false, reason: `XML parser failed: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// From elements to messages

function responseFields(el: AxiElement): ResponseFields {
  const a = reader(el);
  return {
    seq: a.int('seq'),
    errCode: a.str('errCode'),
    info: a.str('info'),
    bad: a.str('bad'),
    maxLen: a.int('maxLen'),
  };
}

function ppState(el: AxiElement): PPStateFields {
  const a = reader(el);
  return {
    onHook: a.bool('onHook'),
    silentCharging: a.bool('silentCharging'),
    batteryLevel: a.int('batteryLevel'),
    swVersion: a.str('swVersion'),
    callState: a.str('callState'),
    registered: a.bool('registered'),
    regServerType: a.str('regServerType'),
    regServerAddr: a.str('regServerAddr'),
    regServerPort: a.int('regServerPort'),
    isInCharger: a.bool('isInCharger'),
    isUsbConnected: a.bool('isUsbConnected'),
  };
}

function messageRef(el: AxiElement): MessageRef {
  const a = reader(el);
  return { sendTime: a.needInt('sendTime'), id: a.needInt('id'), toAddr: a.needAddr('toAddr') };
}

function decodeElement(el: AxiElement): AxiMessage {
  const a = reader(el);
  switch (el.name) {
    // Requests
    case 'Open':
      return { type: 'Open', seq: a.needInt('seq'), username: a.needStr('username'), password: a.needStr('password') };
    case 'Subscribe':
      return {
        type: 'Subscribe',
        seq: a.needInt('seq'),
        entries: el.children.filter((c) => c.name === 'e').map(subscribeEntry),
      };
    case 'Ping':
      return { type: 'Ping', seq: a.needInt('seq'), timeStamp: a.needInt('timeStamp') };
    case 'SendMessage':
      return sendMessage(el);
    case 'DeleteMessage':
    case 'CancelMessage':
      return { type: el.name, seq: a.needInt('seq'), ...messageRef(el) };
    case 'GetPPState':
    case 'RequestPositionInfo':
      return { type: el.name, seq: a.needInt('seq'), ppn: a.needInt('ppn') };
    case 'GetDECTRegDomain':
      return { type: 'GetDECTRegDomain', seq: a.needInt('seq') };
    case 'SetDECTRegDomain':
      return { type: 'SetDECTRegDomain', seq: a.needInt('seq'), regDomain: a.needStr('regDomain') };
    // Responses
    case 'OpenResp':
      return compact({
        type: 'OpenResp',
        ...responseFields(el),
        protocolVersion: a.int('protocolVersion'),
        ommVersion: a.str('ommVersion'),
        axiVersion: a.str('axiVersion'),
        ommAxiSpecVersion: a.str('ommAxiSpecVersion'),
        ommStbState: a.str('ommStbState'),
      });
    case 'SubscribeResp':
      return compact({ type: 'SubscribeResp', ...responseFields(el), eventType: a.str('eventType') });
    case 'PingResp':
      return compact({ type: 'PingResp', ...responseFields(el), timeStamp: a.int('timeStamp') });
    case 'SendMessageResp':
    case 'DeleteMessageResp':
    case 'CancelMessageResp':
    case 'RequestPositionInfoResp':
      return compact({ type: el.name, ...responseFields(el) });
    case 'GetPPStateResp':
      return compact({ type: 'GetPPStateResp', ...responseFields(el), ppn: a.int('ppn'), ...ppState(el) });
    case 'GetDECTRegDomainResp':
    case 'SetDECTRegDomainResp':
      return compact({ type: el.name, ...responseFields(el), regDomain: a.str('regDomain') });
    // Events
    case 'EventMessageProgress':
      return compact({ type: 'EventMessageProgress', ...messageRef(el), event: a.needStr('event'), ppn: a.int('ppn') });
    case 'EventMessageConfirmation':
      return compact({
        type: 'EventMessageConfirmation',
        ...messageRef(el),
        fromAddr: a.addr('fromAddr'),
        confTime: a.int('confTime'),
        confirmation: a.needStr('confirmation'),
      });
    case 'EventMessageQueueEmpty':
      return { type: 'EventMessageQueueEmpty', ppn: a.needInt('ppn') };
    case 'EventAlarmTrigger':
      return compact({
        type: 'EventAlarmTrigger',
        trigger: a.needStr('trigger'),
        sendTime: a.int('sendTime'),
        id: a.int('id'),
        ppn: a.int('ppn'),
        uid: a.int('uid'),
        fromAddr: a.addr('fromAddr'),
        toAddr: a.addr('toAddr'),
        dialSuffix: a.str('dialSuffix'),
        content: a.str('content'),
      });
    case 'EventAlarmCallProgress':
      return compact({
        type: 'EventAlarmCallProgress',
        state: a.needStr('state'),
        ppn: a.int('ppn'),
        trigger: a.str('trigger'),
        id: a.int('id'),
        destAddr: a.addr('destAddr'),
      });
    case 'EventMessageSend': {
      const msg = child(el, 'msg');
      if (msg === undefined) throw new Missing('EventMessageSend: no <msg> element');
      return compact({ type: 'EventMessageSend', alwaysIndirect: a.bool('alwaysIndirect'), msg: receivedMessage(msg) });
    }
    case 'EventPPState':
      return compact({ type: 'EventPPState', ppn: a.needInt('ppn'), ...ppState(el) });
    case 'EventPPTransaction':
      return compact({
        type: 'EventPPTransaction',
        trType: a.needStr('trType'),
        ppn: a.needInt('ppn'),
        rfpId: a.int('rfpId'),
      });
    case 'EventPositionInfo':
      return {
        type: 'EventPositionInfo',
        ppn: a.needInt('ppn'),
        visible: el.children.flatMap((c) => {
          const v = reader(c);
          const rfpId = v.int('id');
          return c.name === 'vis' && rfpId !== undefined ? [compact({ rfpId, rssiAvg: v.int('rssiAvg') })] : [];
        }),
      };
    case 'EventRFPState':
      return rfpState(el);
    default:
      if (PROVISIONING_EVENTS.has(el.name)) return decodeProvisioning(el);
      return { type: 'Unknown', name: el.name, attributes: el.attrs };
  }
}

function subscribeEntry(e: AxiElement): SubscribeEntry {
  const a = reader(e);
  const cmd = a.needStr('cmd');
  if (cmd !== 'On' && cmd !== 'Off') throw new Missing(`Subscribe: cmd '${cmd}' is neither On nor Off`);
  return compact({
    cmd,
    eventType: a.needStr('eventType'),
    ppn: a.int('ppn'),
    uid: a.int('uid'),
    rfpId: a.int('rfpId'),
    omm: a.int('omm'),
    trigger: a.str('trigger'),
    scheme: a.str('scheme'),
  });
}

function sendMessage(el: AxiElement): AxiRequest {
  const m = child(el, 'msg');
  if (m === undefined) throw new Missing('SendMessage: no <msg> element');
  const a = reader(m);
  const choices = m.children.filter((c) => c.name === 'confirm' || c.name === 'confirmReq');
  const msg: OutgoingMessage = compact({
    sendTime: a.needInt('sendTime'),
    id: a.needInt('id'),
    toAddr: a.needAddr('toAddr'),
    toName: a.str('toName'),
    fromAddr: a.addr('fromAddr'),
    fromName: a.str('fromName'),
    callbackAddr: a.addr('callbackAddr'),
    callbackName: a.str('callbackName'),
    priority: a.str('priority') ?? 'Normal',
    popUp: a.bool('popUp'),
    content: a.str('content') ?? '',
    signallingVolume: a.int('signallingVolume'),
    vibraCall: a.bool('vibraCall'),
    ringerTone: a.bool('ringerTone'),
    melody: a.str('melody'),
    confirmations: choices.map((c) => c.text.trim()),
  });
  const first = choices[0];
  return compact({
    type: 'SendMessage',
    seq: reader(el).needInt('seq'),
    msg,
    confirmElement: first === undefined ? undefined : (first.name as ConfirmElement),
  });
}

function receivedMessage(m: AxiElement): ReceivedMessage {
  const a = reader(m);
  return compact({
    sendTime: a.int('sendTime'),
    id: a.int('id'),
    ppn: a.int('ppn'),
    uid: a.int('uid'),
    fromAddr: a.needAddr('fromAddr'),
    fromName: a.str('fromName'),
    toAddr: a.addr('toAddr'),
    toName: a.str('toName'),
    priority: a.str('priority'),
    folder: a.str('folder'),
    content: a.str('content') ?? '',
  });
}

/** mitel-api reads the id and state from `<id>` and `<rfp>` children; python clients see attributes. */
function rfpState(el: AxiElement): AxiEvent {
  const rfp = child(el, 'rfp');
  const attributes = { ...el.attrs, ...(rfp?.attrs ?? {}) };
  const merged: AxiElement = { ...el, attrs: attributes };
  const a = reader(merged);
  const rfpId = a.int('id') ?? int(child(el, 'id')?.text);
  if (rfpId === undefined) throw new Missing("EventRFPState: missing or invalid 'id'");
  return compact({
    type: 'EventRFPState',
    rfpId,
    connected: a.bool('connected'),
    syncState: a.str('syncState'),
    attributes,
  });
}

/**
 * Decodes one frame's XML text (without its NUL). Never throws: a frame that cannot be read, or
 * a known message without an attribute it needs, comes back as `ok: false` with the reason and
 * the frame itself.
 */
export function decodeAxi(xml: string): DecodeResult {
  const parsed = parseAxiElement(xml);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, frame: xml };
  try {
    return { ok: true, message: decodeElement(parsed.element) };
  } catch (e) {
    return { ok: false, reason: e instanceof Missing ? e.message : `decoder failed: ${String(e)}`, frame: xml };
  }
}

// ---------------------------------------------------------------------------------------------
// Writing XML

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasInvalidXmlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) return true;
  }
  return LONE_SURROGATE.test(value);
}
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes text for an attribute value or element text; throws RangeError on characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  if (hasInvalidXmlChar(value)) throw new RangeError(`a character XML cannot carry in ${JSON.stringify(value)}`);
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c]!);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type AttrValue = string | number | boolean | undefined;

/**
 * Writes an element; attributes in the given order, undefined ones left out. A childless root
 * closes with ` />` and a childless child with `/>`, as in the fixtures (protocols.md §1.1,
 * §1.3). Throws RangeError on a bad name or value.
 */
export function encodeAxiElement(el: AxiElement, root = true): string {
  if (!NAME.test(el.name)) throw new RangeError(`bad element name ${JSON.stringify(el.name)}`);
  let out = `<${el.name}`;
  for (const [k, v] of Object.entries(el.attrs)) {
    if (!NAME.test(k)) throw new RangeError(`bad attribute name ${JSON.stringify(k)}`);
    out += ` ${k}="${escapeXml(v)}"`;
  }
  if (el.children.length === 0 && el.text === '') return out + (root ? ' />' : '/>');
  return `${out}>${escapeXml(el.text)}${el.children.map((c) => encodeAxiElement(c, false)).join('')}</${el.name}>`;
}

function element(name: string, attrs: Record<string, AttrValue>, children: AxiElement[] = [], text = ''): AxiElement {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (typeof v === 'number' && !Number.isSafeInteger(v))
      throw new RangeError(`${name}.${k} must be an integer, got ${v}`);
    strings[k] = String(v);
  }
  return { name, attrs: strings, children, text };
}

function checkSeq(seq: number): number {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative integer, got ${seq}`);
  return seq;
}

function checkId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= MESSAGE_ID_LIMIT) {
    throw new RangeError(`message id must be an integer in [0, ${MESSAGE_ID_LIMIT}), got ${id}`);
  }
  return id;
}

/**
 * Encodes a request as one element's XML (no NUL; see `frame`). Throws RangeError on values the
 * OMM would refuse: a Subscribe without 1–20 entries, a message id outside [0, 2^20), more
 * than 3 confirmation choices, a negative or fractional seq, characters XML cannot carry.
 */
export function encodeAxi(req: AxiRequest): string {
  return encodeAxiElement(requestElement(req));
}

function requestElement(req: AxiRequest): AxiElement {
  const seq = checkSeq(req.seq);
  switch (req.type) {
    case 'Open':
      return element('Open', { seq, username: req.username, password: req.password });
    case 'Subscribe': {
      const n = req.entries.length;
      if (n < 1 || n > MAX_SUBSCRIBE_ENTRIES) throw new RangeError(`Subscribe takes 1–20 entries, got ${n}`);
      return element(
        'Subscribe',
        { seq },
        req.entries.map((e) =>
          element('e', {
            cmd: e.cmd,
            eventType: e.eventType,
            ppn: e.ppn,
            uid: e.uid,
            rfpId: e.rfpId,
            omm: e.omm,
            trigger: e.trigger,
            scheme: e.scheme,
          }),
        ),
      );
    }
    case 'Ping':
      return element('Ping', { seq, timeStamp: req.timeStamp });
    case 'SendMessage': {
      const m = req.msg;
      if (m.confirmations.length > 3)
        throw new RangeError(`at most 3 confirmation choices, got ${m.confirmations.length}`);
      if (m.signallingVolume !== undefined && (m.signallingVolume < 0 || m.signallingVolume > 100)) {
        throw new RangeError(`signallingVolume must be 0–100, got ${m.signallingVolume}`);
      }
      const confirm = req.confirmElement ?? 'confirm';
      const msg = element(
        'msg',
        {
          sendTime: m.sendTime,
          id: checkId(m.id),
          fromAddr: m.fromAddr,
          fromName: m.fromName,
          toAddr: m.toAddr,
          toName: m.toName,
          callbackAddr: m.callbackAddr,
          callbackName: m.callbackName,
          priority: m.priority,
          popUp: m.popUp,
          signallingVolume: m.signallingVolume,
          vibraCall: m.vibraCall,
          ringerTone: m.ringerTone,
          melody: m.melody,
          content: m.content,
        },
        m.confirmations.map((c) => element(confirm, {}, [], c)),
      );
      return element('SendMessage', { seq }, [msg]);
    }
    case 'DeleteMessage':
    case 'CancelMessage':
      return element(req.type, { seq, sendTime: req.sendTime, id: checkId(req.id), toAddr: req.toAddr });
    case 'GetPPState':
    case 'RequestPositionInfo':
      return element(req.type, { seq, ppn: req.ppn });
    case 'GetDECTRegDomain':
      return element('GetDECTRegDomain', { seq });
    case 'SetDECTRegDomain':
      if (!isDectRegDomain(req.regDomain)) {
        throw new RangeError(`regDomain must be one of ${DECT_REG_DOMAINS.join(', ')}, got ${req.regDomain}`);
      }
      return element('SetDECTRegDomain', { seq, regDomain: req.regDomain });
    default:
      return unreachable(req);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled request ${JSON.stringify(x)}`);
}
