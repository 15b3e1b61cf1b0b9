/**
 * ESPA-X codec (protocols.md §3.2), pure: one document's XML text ↔ messages. Framing (the
 * 10-byte header) is espax-framing.ts's job.
 *
 *   document = <ESPA-X xmlns="http://ns.espa-x.org/espa-x" version="1.00" timestamp="YYYY-MM-DDThh:mm:ss">
 *                <KIND.NAME invokeID="n" sessionID="s">   exactly one child; KIND = REQ | RSP | IND | CMD
 *                  <FIELD>text</FIELD> …                   any order; PROPRIETARY holds vendor XML
 *                </KIND.NAME>
 *              </ESPA-X>
 *
 * Decoding is lenient and never throws: namespace prefixes and the namespace itself are not
 * checked, unknown fields are kept, repeated fields become arrays, nested elements other than
 * PROPRIETARY are dropped, PROPRIETARY is kept as raw XML. It refuses, with the code to answer:
 * - 601 Not wellformed: not XML (or not UTF-8, found by the deframer);
 * - 602 Invalid message: well-formed, but a DOCTYPE, another root, no child or several, an
 *   unknown child element, or a request without a valid invokeID (unsigned long).
 *
 * Encoding (espax-encode.ts) builds every message the server sends.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isMessageName, type MessageName } from './espax-protocol.ts';

export type FieldValue = string | readonly string[];

/** A decoded document. `invokeId` is the canonical decimal form (no leading zeros). */
export interface EspaxDocument {
  readonly name: MessageName;
  readonly invokeId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** The raw inner XML of the message's PROPRIETARY element (or of a PROPRIETARY root message). */
  readonly proprietary?: string | undefined;
}

export type DecodeResult =
  | { readonly ok: true; readonly doc: EspaxDocument }
  | {
      readonly ok: false;
      readonly code: 601 | 602;
      readonly reason: string;
      /** The child element's name and invokeID, when they could be read. */
      readonly name?: string | undefined;
      readonly invokeId?: string | undefined;
    };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  stopNodes: ['*.PROPRIETARY'],
});

const MAX_UNSIGNED_LONG = 18446744073709551615n;
const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;

/** The canonical decimal form of an unsigned long, or undefined when `s` is not one. */
export function canonicalInvokeId(s: unknown): string | undefined {
  if (typeof s !== 'string' || !/^\s*[0-9]{1,20}\s*$/.test(s)) return undefined;
  const n = BigInt(s.trim());
  return n <= MAX_UNSIGNED_LONG ? n.toString() : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const elementKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => !k.startsWith('@_') && k !== '#text');

/** Decodes one document. Never throws; see the file comment for what is refused. */
export function decodeEspax(xml: string): DecodeResult {
  let tree: unknown;
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true)
      return { ok: false, code: 601, reason: `not well-formed: ${valid.err.msg} (line ${valid.err.line})` };
    if (DOCTYPE.test(xml)) return { ok: false, code: 602, reason: 'a DOCTYPE or ENTITY declaration is not allowed' };
    tree = parser.parse(xml);
  } catch (err) {
    return { ok: false, code: 601, reason: `not well-formed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isRecord(tree)) return { ok: false, code: 601, reason: 'no root element' };
  const roots = elementKeys(tree);
  if (roots.length > 1) return { ok: false, code: 601, reason: `not well-formed: ${roots.length} root elements` };
  if (roots[0] !== 'ESPA-X')
    return { ok: false, code: 602, reason: `the root element is ${roots.join(', ') || 'missing'}, not ESPA-X` };
  const root = tree['ESPA-X'];
  if (!isRecord(root)) return { ok: false, code: 602, reason: 'ESPA-X has no child element' };
  const children = elementKeys(root);
  if (children.length === 0) return { ok: false, code: 602, reason: 'ESPA-X has no child element' };
  if (children.length !== 1)
    return { ok: false, code: 602, reason: `ESPA-X has ${children.length} child elements, not 1` };
  const name = children[0]!;
  const body = root[name];
  if (Array.isArray(body)) return { ok: false, code: 602, reason: `ESPA-X has several ${name} elements` };
  const attrs = isRecord(body) ? body : {};
  const rawInvoke = attrs['@_invokeID'];
  const invokeId = canonicalInvokeId(rawInvoke);
  const sessionId = typeof attrs['@_sessionID'] === 'string' ? attrs['@_sessionID'] : undefined;
  if (!isMessageName(name)) return { ok: false, code: 602, reason: `unknown message ${name}`, name, invokeId };
  if (rawInvoke !== undefined && invokeId === undefined)
    return {
      ok: false,
      code: 602,
      reason: `invokeID "${String(rawInvoke).slice(0, 40)}" is not an unsigned long`,
      name,
    };
  if (name.startsWith('REQ.') && invokeId === undefined)
    return { ok: false, code: 602, reason: `${name} without invokeID`, name };
  if (name === 'PROPRIETARY') {
    const raw =
      typeof body === 'string' ? body : isRecord(body) && typeof body['#text'] === 'string' ? body['#text'] : '';
    return { ok: true, doc: { name, invokeId, sessionId, fields: {}, proprietary: raw } };
  }
  const fields: Record<string, FieldValue> = {};
  let proprietary: string | undefined;
  for (const key of elementKeys(attrs)) {
    const values = ([] as unknown[]).concat(attrs[key]).map(textOf);
    if (key === 'PROPRIETARY') {
      proprietary = values.find((v) => v !== undefined) ?? '';
      continue;
    }
    const texts = values.filter((v): v is string => v !== undefined);
    if (texts.length === 1) fields[key] = texts[0]!;
    else if (texts.length > 1) fields[key] = texts;
  }
  return { ok: true, doc: { name, invokeId, sessionId, fields, proprietary } };
}

/** The text of a leaf element (attributes ignored); undefined for an element with children. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!isRecord(v)) return undefined;
  if (elementKeys(v).length > 0) return undefined;
  const t = v['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : String(t);
}

/** The first value of a field, when present. */
export function fieldOf(doc: EspaxDocument, name: string): string | undefined {
  const v = doc.fields[name];
  return typeof v === 'string' ? v : v?.[0];
}

/** All values of a field (a repeated field, or a space-separated list such as CP-PR-MASK). */
export function listOf(doc: EspaxDocument, name: string): string[] {
  const v = doc.fields[name];
  if (v === undefined) return [];
  return ([] as string[]).concat(v);
}
