/**
 * OM AXI encoding (dect-codec.ts's encodeAxi), pure: from a typed request to an element tree and
 * from an element tree to XML text. Strict: throws RangeError on values the OMM would refuse or
 * misread (protocols.md §1.3, §1.4) and on names or characters XML 1.0 cannot carry.
 */
import { isDectRegDomain, DECT_REG_DOMAINS } from './dect-band.ts';
import type { AxiElement, AxiRequest } from './dect-codec.ts';

/** Message ids must be below this from SIP-DECT 7.0 on (protocols.md §1.4). */
export const MESSAGE_ID_LIMIT = 1 << 20;
/** At most this many `<e>` entries per Subscribe (§1.3). */
export const MAX_SUBSCRIBE_ENTRIES = 20;

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

/** The element of a request; throws RangeError as encodeAxi says. */
export function requestElement(req: AxiRequest): AxiElement {
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
