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
 *
 * This file holds the message types, the XML reader and the two entry points; the rest is done
 * beside it: elements → messages (dect-codec-decode.ts, with provisioning events in
 * dect-codec-pp.ts), requests → elements → XML text (dect-codec-encode.ts).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DectRegDomain } from './dect-band.ts';
import { Missing } from './dect-codec-attrs.ts';
import type { ProvisioningEvent } from './dect-codec-pp.ts';
import { decodeElement } from './dect-codec-decode.ts';
import { encodeAxiElement, requestElement } from './dect-codec-encode.ts';

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

/**
 * Encodes a request as one element's XML (no NUL; see `frame`). Throws RangeError on values the
 * OMM would refuse: a Subscribe without 1–20 entries, a message id outside [0, 2^20), more
 * than 3 confirmation choices, a negative or fractional seq, characters XML cannot carry.
 */
export function encodeAxi(req: AxiRequest): string {
  return encodeAxiElement(requestElement(req));
}
