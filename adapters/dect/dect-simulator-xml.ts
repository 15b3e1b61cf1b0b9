/**
 * The OMM simulator's own reading and writing of OM AXI frames (protocols.md §1.1). Written
 * apart from the adapter's codec on purpose: a bug there must not be mirrored here.
 *
 *   frame   = element NUL            one XML element, UTF-8, no declaration, no namespace
 *   element = <Name a="v" …/>  |  <Name a="v" …>children and text</Name>
 *
 * Reading is strict, so that sloppy output from the adapter shows up in tests: a frame must be
 * one well-formed element; declarations, DOCTYPE, comments, CDATA and processing instructions
 * (anything starting `<!` or `<?`) are refused; only the five predefined entities and numeric
 * character references are decoded (fast-xml-parser's own entity processing is off).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One AXI element as the simulator sees it: attribute values and text already decoded. */
export interface SimElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly SimElement[];
  /** The element's own text (e.g. `OrderOk` in `<confirm>OrderOk</confirm>`), '' when none. */
  readonly text: string;
}

/** A frame that could not be read: why, and the frame's text. */
export interface SimFrameError {
  readonly reason: string;
  readonly frame: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: false,
  ignorePiTags: false,
});

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; throws on anything else after `&`. */
export function decodeXmlText(s: string): string {
  return s.replace(/&([^;]{0,10});?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare '&' in ${JSON.stringify(s)}`);
    const named = NAMED[body];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    const code = m === null ? undefined : m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    if (code === undefined || code > 0x10ffff || !isXmlChar(code)) throw new Error(`unknown entity '&${body};'`);
    return String.fromCodePoint(code);
  });
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000
  );
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toElement(node: Ordered): SimElement {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text') throw new Error('text where an element was expected');
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(node[':@'] ?? {})) attrs[k] = decodeXmlText(v);
  const children: SimElement[] = [];
  let text = '';
  for (const child of (node[name] as Ordered[] | undefined) ?? []) {
    if ('#text' in child) text += decodeXmlText(String(child['#text']));
    else children.push(toElement(child));
  }
  return { name, attrs, children, text };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads one frame (its bytes without the NUL). Pure; returns an error instead of throwing. */
export function readSimFrame(bytes: Uint8Array): SimElement | SimFrameError {
  let frame: string;
  try {
    frame = utf8.decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8', frame: Buffer.from(bytes).toString('latin1') };
  }
  const fail = (reason: string): SimFrameError => ({ reason, frame });
  if (/<[!?]/.test(frame)) return fail('declarations, DOCTYPE, comments, CDATA and PIs are not allowed');
  const valid = XMLValidator.validate(frame);
  if (valid !== true) return fail(`not well-formed: ${valid.err.msg}`);
  try {
    const nodes = (parser.parse(frame) as Ordered[]).filter((n) => !('#text' in n && String(n['#text']).trim() === ''));
    if (nodes.length !== 1 || nodes[0] === undefined) return fail(`expected one element, found ${nodes.length} nodes`);
    return toElement(nodes[0]);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

/** True when `r` is a frame error rather than an element. */
export function isSimFrameError(r: SimElement | SimFrameError): r is SimFrameError {
  return 'reason' in r;
}

/**
 * Escapes an attribute value or text: `& < > " '` and CR, LF, TAB as references; characters
 * XML 1.0 cannot carry at all (other C0 controls, NUL included, and lone surrogates) become
 * U+FFFD, so a value can never end a frame early.
 */
export function escapeXml(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&apos;';
        break;
      case '\r':
        out += '&#13;';
        break;
      case '\n':
        out += '&#10;';
        break;
      case '\t':
        out += '&#9;';
        break;
      default:
        out += isXmlChar(c) ? ch : '\uFFFD';
    }
  }
  return out;
}

/** Attribute values as given to `writeSimElement`; undefined ones are left out. */
export type SimAttrs = Readonly<Record<string, string | number | boolean | undefined>>;

/** One element to write: name, attributes in order, child elements, text. */
export interface SimOut {
  readonly name: string;
  readonly attrs?: SimAttrs;
  readonly children?: readonly SimOut[];
  readonly text?: string;
}

/** Writes an element as XML text (no NUL). Pure. */
export function writeSimElement(e: SimOut): string {
  const attrs = Object.entries(e.attrs ?? {})
    .filter((kv): kv is [string, string | number | boolean] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = (e.children ?? []).map(writeSimElement).join('') + escapeXml(e.text ?? '');
  return inner === '' ? `<${e.name}${attrs}/>` : `<${e.name}${attrs}>${inner}</${e.name}>`;
}

/** Writes an element as a wire frame: UTF-8 bytes followed by one NUL. */
export function simFrame(e: SimOut): Buffer {
  return Buffer.concat([Buffer.from(writeSimElement(e), 'utf8'), Buffer.from([0])]);
}

/**
 * Splits a byte stream on NUL. `push` returns the complete frames' bytes (decoded only once
 * whole, so a UTF-8 character split across reads survives) and whether the pending, unterminated
 * part has grown past `maxBytes` (the caller then closes the link).
 */
export class SimFrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): { readonly frames: Buffer[]; readonly overflow: boolean } {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (let at = buf.indexOf(0); at !== -1; at = buf.indexOf(0)) {
      frames.push(Buffer.from(buf.subarray(0, at)));
      buf = buf.subarray(at + 1);
    }
    this.pending = Buffer.from(buf);
    return { frames, overflow: this.pending.length > this.maxBytes };
  }
}
