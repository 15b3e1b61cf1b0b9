// ESPA-X codec (adapters/espax/espax-codec.ts, espax-encode.ts): every protocols.md §3.3
// vector (test/fixtures/espax/vectors, which the schema accepts) decodes to the expected
// fields; the refusals carry 601 (not XML) or 602 (XML, but not a message); every message the
// server can send, with ordinary and with hostile values (too long, forbidden characters,
// markup, control characters), is encoded, decoded back, and validated against
// test/fixtures/espax/espa-x.xsd with xmllint in one batch. A schema check that accepts
// everything would pass nothing here: one known-bad document must be refused too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeEspax, fieldOf, type EspaxDocument } from '../../adapters/espax/espax-codec.ts';
import { encodeEspax, espaxTimestamp, type ServerMessage } from '../../adapters/espax/espax-encode.ts';
import { schemaFailures } from '../support/xmllint.ts';

const VECTORS = new URL('../fixtures/espax/vectors/', import.meta.url);
const vector = (name: string) => readFileSync(new URL(name, VECTORS), 'utf8');
const T = Date.UTC(2024, 4, 14, 8, 35, 59);

function decoded(xml: string): EspaxDocument {
  const r = decodeEspax(xml);
  assert.ok(r.ok, `expected a message, got ${JSON.stringify(r)}`);
  return r.doc;
}

describe('decodeEspax: the §3.3 vectors', () => {
  it('REQ.LOGIN: invokeID 1, no sessionID, the four LI- fields', () => {
    const d = decoded(vector('req-login.xml'));
    assert.equal(d.name, 'REQ.LOGIN');
    assert.equal(d.invokeId, '1');
    assert.equal(d.sessionId, undefined);
    assert.deepEqual(d.fields, {
      'LI-CLIENT': 'NurseCall-Ward3',
      'LI-CLIENTSW': 'v2.1',
      'LI-USER': 'nurse3',
      'LI-PASSWORD': 'secret12',
    });
  });

  it('REQ.P-START: all thirteen CP- fields', () => {
    const d = decoded(vector('req-p-start.xml'));
    assert.equal(d.name, 'REQ.P-START');
    assert.equal(d.invokeId, '3');
    assert.equal(d.sessionId, 'A7F3C2');
    assert.deepEqual(d.fields, {
      'CP-PR-REF': 'w3-r12-bed2-0001',
      'CP-GROUPID': '1002',
      'CP-CALLINGNO': '3122',
      'CP-CALLINGNAME': 'Room 12',
      'CP-TEXTMSG': 'Patient call Room 12 Bed 2',
      'CP-SIGNAL': 'Urgent',
      'CP-WARD': 'Ward 3',
      'CP-BED': '12-2',
      'CP-CALLBACK': 'Phone',
      'CP-ATTEMPTS': '3',
      'CP-PRIO': 'High',
      'CP-CBCKNO': '3122',
      'CP-PR-DETAILS': 'All',
    });
  });

  it('IND.P-EVENT: an indication has no invokeID', () => {
    const d = decoded(vector('ind-p-event.xml'));
    assert.equal(d.name, 'IND.P-EVENT');
    assert.equal(d.invokeId, undefined);
    assert.equal(fieldOf(d, 'SS-RESULT'), 'Accepted');
    assert.equal(fieldOf(d, 'SP-PR-TAN'), '2033246342');
    assert.equal(fieldOf(d, 'SS-NETW-NAME'), 'Nurse Anna');
  });

  it('every vector file decodes, and the schema accepts them all', () => {
    const files = readdirSync(VECTORS).filter((f) => f.endsWith('.xml'));
    assert.ok(files.length >= 8);
    for (const f of files) decoded(vector(f));
    assert.deepEqual(schemaFailures(files.map(vector)), []);
  });
});

describe('decodeEspax: leniency and refusals', () => {
  it('reads prefixes, a declaration, repeated fields (as arrays) and PROPRIETARY (raw)', () => {
    const d = decoded(
      '<?xml version="1.0"?><ex:ESPA-X xmlns:ex="http://ns.espa-x.org/espa-x" version="1.00">' +
        '<ex:REQ.P-START invokeID="0042" sessionID="S"><ex:CP-TEXTMSG>a &amp; b</ex:CP-TEXTMSG>' +
        '<CP-X>1</CP-X><CP-X>2</CP-X><PROPRIETARY><DAKS_ESPA-X><k a="1">v</k></DAKS_ESPA-X></PROPRIETARY>' +
        '</ex:REQ.P-START></ex:ESPA-X>',
    );
    assert.equal(d.invokeId, '42');
    assert.equal(fieldOf(d, 'CP-TEXTMSG'), 'a & b');
    assert.deepEqual(d.fields['CP-X'], ['1', '2']);
    assert.equal(d.proprietary, '<DAKS_ESPA-X><k a="1">v</k></DAKS_ESPA-X>');
  });

  it('keeps a value the schema forbids (a real server sent SS-NETW-NO +491231234567)', () => {
    const d = decoded(
      '<ESPA-X><IND.P-EVENT sessionID="S"><SP-PR-TAN>1</SP-PR-TAN><SS-NETW-NO>+491231234567</SS-NETW-NO></IND.P-EVENT></ESPA-X>',
    );
    assert.equal(fieldOf(d, 'SS-NETW-NO'), '+491231234567');
  });

  const refused: [string, string, 601 | 602, RegExp][] = [
    ['an unclosed tag', '<ESPA-X><REQ.HEARTBEAT invokeID="1">', 601, /not well-formed/],
    ['plain text', 'hello', 601, /not well-formed/],
    ['an empty document', '', 601, /not well-formed/],
    ['two roots', '<ESPA-X><REQ.HEARTBEAT invokeID="1"/></ESPA-X><x/>', 601, /root/],
    ['another root', '<ESPA><REQ.HEARTBEAT invokeID="1"/></ESPA>', 602, /not ESPA-X/],
    ['no child', '<ESPA-X version="1.00"/>', 602, /no child/],
    ['two children', '<ESPA-X><REQ.HEARTBEAT invokeID="1"/><REQ.HEARTBEAT invokeID="2"/></ESPA-X>', 602, /several/],
    ['an unknown element', '<ESPA-X><REQ.FOO invokeID="1"/></ESPA-X>', 602, /unknown message REQ.FOO/],
    ['a request without invokeID', '<ESPA-X><REQ.HEARTBEAT sessionID="s"/></ESPA-X>', 602, /without invokeID/],
    ['a negative invokeID', '<ESPA-X><REQ.HEARTBEAT invokeID="-1"/></ESPA-X>', 602, /not an unsigned long/],
    ['invokeID 2^64', '<ESPA-X><REQ.HEARTBEAT invokeID="18446744073709551616"/></ESPA-X>', 602, /unsigned/],
    [
      'a DOCTYPE (entity expansion)',
      '<!DOCTYPE x [<!ENTITY a "aaaa">]><ESPA-X><REQ.HEARTBEAT invokeID="1"/></ESPA-X>',
      602,
      /DOCTYPE/,
    ],
  ];
  for (const [what, xml, code, says] of refused) {
    it(`refuses ${what} with ${code}`, () => {
      const r = decodeEspax(xml);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.code, code);
      assert.match(r.reason, says);
    });
  }

  it('takes the largest unsigned long as an invokeID', () => {
    assert.equal(
      decoded('<ESPA-X><REQ.HEARTBEAT invokeID="18446744073709551615"/></ESPA-X>').invokeId,
      '18446744073709551615',
    );
  });
});

const hostile = '<b>&"\'\u0001\u0007 é😀' + 'x'.repeat(400);
const tan = 2033246342;
const proc = { tan, ref: 'w3-r12-bed2-0001', groupId: '1002', name: 'nurse-call', created: T };
const long = { tan, ref: hostile, groupId: hostile, phoneNo: `+49 (0)${hostile}`, name: hostile, created: T };

/** Every message the server sends, ordinary and with hostile values. */
const MESSAGES: ServerMessage[] = [
  { type: 'RSP.LOGIN', invokeId: '1', sessionId: 'A7F3C2', server: 'Tocsin', serverSw: '0.1.0', code: 200, info: 'ok' },
  { type: 'RSP.LOGIN', invokeId: '1', server: hostile, serverSw: '', code: 401 },
  { type: 'RSP.HEARTBEAT', invokeId: '2', sessionId: 'S', code: 200 },
  { type: 'RSP.HEARTBEAT', invokeId: '2', code: 407, info: 'log in first' },
  { type: 'RSP.LOGOUT', invokeId: '9', sessionId: 'S', code: 200 },
  {
    type: 'RSP.S-CONDITION',
    invokeId: '3',
    sessionId: 'S',
    code: 200,
    health: 'OK',
    hotStandby: false,
    load: 'Normal',
  },
  { type: 'RSP.S-CONDITION', invokeId: '3', sessionId: 'S', code: 200, health: 'Problem detected' },
  { type: 'RSP.S-PARAMETERS', invokeId: '3', sessionId: 'S', code: 501, info: hostile },
  { type: 'RSP.P-START', invokeId: '4', sessionId: 'S', code: 200, ref: proc.ref, tan },
  { type: 'RSP.P-START', invokeId: '4', sessionId: 'S', code: 503, info: 'try again', ref: hostile },
  { type: 'RSP.P-STOP', invokeId: '5', sessionId: 'S', code: 404, info: 'no such process' },
  { type: 'RSP.P-GETSTAT', invokeId: '18446744073709551615', sessionId: 'S', code: 200 },
  { type: 'IND.ERROR', server: 'Tocsin', code: 601, info: 'not well-formed: <x> & "y"' },
  { type: 'IND.ERROR', server: hostile, code: 600 },
  { type: 'IND.P-STARTED', sessionId: 'S', process: proc, status: 'Active' },
  { type: 'IND.P-STARTED', sessionId: 'S', process: long },
  { type: 'IND.P-STATUS', sessionId: 'S', process: proc, status: 'Active', result: 'None' },
  { type: 'IND.P-STATUS', sessionId: 'S', process: long, status: 'Active', result: 'Positive', getstat: true },
  {
    type: 'IND.P-EVENT',
    sessionId: 'A7F3C2',
    process: proc,
    number: '4711',
    name: 'Nurse Anna',
    key: '1',
    direction: 'Outbound',
    status: 'Completed',
    result: 'Accepted',
  },
  // SS-NETW-NO allows [0-9*#] only: '+49 …' loses its '+' and spaces; a name past 24 is cut.
  {
    type: 'IND.P-EVENT',
    sessionId: 'S',
    process: long,
    number: '+49 171 2345678901234',
    name: hostile,
    key: '12',
    result: 'Reached',
  },
  // Nothing left of the number: the field is left out.
  { type: 'IND.P-EVENT', sessionId: 'S', process: proc, number: 'tel:', name: '', result: 'Not reached' },
  { type: 'IND.P-ENDED', sessionId: 'S', process: proc, endReason: 'Finished', result: 'Positive' },
  { type: 'IND.P-ENDED', sessionId: 'S', process: long, endReason: 'Client', result: 'None', endInfo: hostile },
  { type: 'CMD.SHUTDOWN', sessionId: 'S', reason: 'Normal', mode: 'Immediate' },
  // A session id that is too long or has markup is cut and escaped, never invalid.
  { type: 'RSP.HEARTBEAT', invokeId: 'not-a-number', sessionId: hostile, code: 200 },
  // A TAN that is not an unsigned long becomes 0.
  { type: 'IND.P-ENDED', sessionId: 'S', process: { tan: -5 }, endReason: 'Failure' },
];

describe('encodeEspax', () => {
  it('stamps the document with the clock, in UTC without a zone', () => {
    const xml = encodeEspax({ type: 'RSP.HEARTBEAT', invokeId: '2', sessionId: 'S', code: 200 }, T);
    assert.match(xml, /<ESPA-X xmlns="http:\/\/ns.espa-x.org\/espa-x" version="1.00" timestamp="2024-05-14T08:35:59">/);
    assert.equal(espaxTimestamp(Number.NaN), '1970-01-01T00:00:00');
  });

  it('writes the RSP-REASON that belongs to the code, and echoes invokeID and sessionID', () => {
    const d = decoded(
      encodeEspax({ type: 'RSP.P-START', invokeId: '4', sessionId: 'S', code: 450, ref: 'r', tan: 7 }, T),
    );
    assert.equal(d.name, 'RSP.P-START');
    assert.equal(d.invokeId, '4');
    assert.equal(d.sessionId, 'S');
    assert.deepEqual(d.fields, { 'RSP-CODE': '450', 'RSP-REASON': 'Duplicate', 'CP-PR-REF': 'r', 'SP-PR-TAN': '7' });
  });

  it('reproduces the §3.3 IND.P-EVENT vector field for field', () => {
    const ours = decoded(
      encodeEspax(
        MESSAGES.find((m) => m.type === 'IND.P-EVENT')!,
        T,
      ),
    );
    const theirs = decoded(vector('ind-p-event.xml'));
    assert.deepEqual(ours.fields, theirs.fields);
  });

  it('cuts fields to their limits and drops what the field or XML cannot carry', () => {
    const ev = (n: string) => MESSAGES.find((m) => m.type === 'IND.P-EVENT' && m.number?.startsWith(n))!;
    const d = decoded(encodeEspax(ev('+49'), T));
    assert.equal(fieldOf(d, 'SS-NETW-NO'), '4917123456789012');
    assert.equal(Array.from(fieldOf(d, 'SS-NETW-NAME')!).length, 24);
    assert.equal(fieldOf(d, 'SS-NETW-NAME')!.startsWith('<b>&"\' é😀'), true);
    assert.equal(fieldOf(d, 'SS-KEY'), '1');
    assert.equal(Array.from(fieldOf(d, 'CP-PR-REF')!).length, 32);
    const empty = decoded(encodeEspax(ev('tel:'), T));
    assert.equal(fieldOf(empty, 'SS-NETW-NO'), undefined);
    assert.equal(fieldOf(empty, 'SS-NETW-NAME'), undefined);
  });

  it('every message the server sends validates against the schema', () => {
    const docs = MESSAGES.map((m) => encodeEspax(m, T));
    for (const d of docs) decoded(d);
    assert.deepEqual(schemaFailures(docs), []);
  });

  it('the schema check can fail: a forbidden SS-NETW-NO and an unknown element are refused', () => {
    const bad = [
      '<ESPA-X xmlns="http://ns.espa-x.org/espa-x" version="1.00"><IND.P-EVENT sessionID="S"><SP-PR-TAN>1</SP-PR-TAN><SS-NETW-NO>+49</SS-NETW-NO></IND.P-EVENT></ESPA-X>',
      '<ESPA-X xmlns="http://ns.espa-x.org/espa-x" version="1.00"><RSP.FOO invokeID="1"/></ESPA-X>',
      encodeEspax(MESSAGES[0]!, T),
    ];
    assert.deepEqual(
      schemaFailures(bad).map((f) => f.index),
      [0, 1],
    );
  });
});
