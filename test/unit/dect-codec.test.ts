// OM AXI codec (adapters/dect/dect-codec.ts): every fixture of protocols.md §1 decodes to the
// expected message and the request fixtures are encoded byte for byte; the leniencies
// (Content/content, `Tel:` schemes, 1/0/true/false, a declaration, unknown messages) as a
// table; bad frames (no root, two roots, text, DOCTYPE/ENTITY, malformed XML, a known message
// without what it needs) as a table that must give ok:false and never throw; encode refusals.
// Then fast-check: encode → frame → NulFramer → decode gives back every request type, and test
// encoders do the same for every decoded event and response, with random text full of `<>&"'`,
// CR/LF/TAB and non-ASCII; fitText always yields Latin-1 within maxBytes; message keys never
// repeat; decodeAxi never throws on random text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeAxi,
  encodeAxi,
  normalizeAddress,
  type AxiElement,
  type AxiMessage,
  type AxiRequest,
  type OutgoingMessage,
  type SubscribeEntry,
} from '../../adapters/dect/dect-codec.ts';
import { encodeAxiElement, escapeXml, MESSAGE_ID_LIMIT } from '../../adapters/dect/dect-codec-encode.ts';
import { fitText, nextMessageKey, type MessageKey } from '../../adapters/dect/dect-text.ts';
import { frame, NulFramer } from '../../adapters/dect/dect-framing.ts';

/** protocols.md §1, verbatim. */
const FX = {
  open: '<Open seq="1" username="omm" password="omm" />',
  openRespEAuth:
    '<OpenResp ommStbState="None" ommVersion="OpenMobility Manager SIP-DECT 7.1-CK14" axiVersion="171101" ommAxiSpecVersion="7.1.1" protocolVersion="45" errCode="EAuth" />',
  subscribe:
    '<Subscribe seq="2"><e cmd="On" eventType="MessageProgress" ppn="-1"/><e cmd="On" eventType="MessageConfirmation" ppn="-1"/><e cmd="On" eventType="AlarmTrigger" trigger="*"/><e cmd="On" eventType="PPTransaction" ppn="-1"/></Subscribe>',
  subscribeNoScope: '<Subscribe><e cmd="On" eventType="SystemState" /></Subscribe>',
  sendMessage:
    '<SendMessage seq="10"><msg sendTime="1715675759" id="4711" fromAddr="tel:9999" fromName="Alarm Server" toAddr="tel:4711" priority="Emergency" popUp="true" signallingVolume="100" vibraCall="true" content="FIRE Deck 5 cabin 5012"><confirm>OrderOk</confirm><confirm>OrderNok</confirm></msg></SendMessage>',
  confirmation:
    '<EventMessageConfirmation sendTime="1715675759" id="4711" fromAddr="tel:9999" toAddr="tel:4711" confTime="1715675790" confirmation="OrderOk" />',
  alarmCallProgress: '<EventAlarmCallProgress ppn="5" trigger="asdf" id="99" destAddr="tel:5555" state="ringing" />',
  messageSend:
    '<EventMessageSend alwaysIndirect="true"><msg sendTime="1574881564" id="67134080" ppn="6201" fromAddr="tel:4502" toAddr="Tel:8378" fromName="PoC zivillian" priority="Normal" folder="Inbox" content="Void"/></EventMessageSend>',
  ppStateResp:
    '<GetPPStateResp ppn="600" onHook="1" registered="1" silentCharging="0" callState="idle" swVersion="5.00.SP5" bluetooth="0" regServerType="Primary" regServerAddr="172.20.23.2" regServerPort="5060" seq="600" />',
  ping: '<Ping seq="2" timeStamp="1715675759" />',
} as const;

const SEND_MESSAGE: AxiRequest = {
  type: 'SendMessage',
  seq: 10,
  msg: {
    sendTime: 1715675759,
    id: 4711,
    fromAddr: 'tel:9999',
    fromName: 'Alarm Server',
    toAddr: 'tel:4711',
    priority: 'Emergency',
    popUp: true,
    signallingVolume: 100,
    vibraCall: true,
    content: 'FIRE Deck 5 cabin 5012',
    confirmations: ['OrderOk', 'OrderNok'],
  },
  confirmElement: 'confirm',
};

const SUBSCRIBE: AxiRequest = {
  type: 'Subscribe',
  seq: 2,
  entries: [
    { cmd: 'On', eventType: 'MessageProgress', ppn: -1 },
    { cmd: 'On', eventType: 'MessageConfirmation', ppn: -1 },
    { cmd: 'On', eventType: 'AlarmTrigger', trigger: '*' },
    { cmd: 'On', eventType: 'PPTransaction', ppn: -1 },
  ],
};

function decoded(xml: string): AxiMessage {
  const r = decodeAxi(xml);
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('decodeAxi: fixtures (protocols.md §1)', () => {
  const cases: [string, string, AxiMessage][] = [
    // §1.2 bad login: no seq, errCode EAuth, versions read
    [
      'OpenResp with EAuth',
      FX.openRespEAuth,
      {
        type: 'OpenResp',
        errCode: 'EAuth',
        ommStbState: 'None',
        ommVersion: 'OpenMobility Manager SIP-DECT 7.1-CK14',
        axiVersion: '171101',
        ommAxiSpecVersion: '7.1.1',
        protocolVersion: 45,
      },
    ],
    // §1.3 the Subscribe we send, read back (the simulator's view)
    ['Subscribe', FX.subscribe, SUBSCRIBE],
    // §1.4 the SendMessage we send, with <confirm> choices
    ['SendMessage', FX.sendMessage, SEND_MESSAGE],
    // §1.5 the user's answer
    [
      'EventMessageConfirmation',
      FX.confirmation,
      {
        type: 'EventMessageConfirmation',
        sendTime: 1715675759,
        id: 4711,
        fromAddr: 'tel:9999',
        toAddr: 'tel:4711',
        confTime: 1715675790,
        confirmation: 'OrderOk',
      },
    ],
    // §1.6 alarm call progress (mitel-api fixture)
    [
      'EventAlarmCallProgress',
      FX.alarmCallProgress,
      { type: 'EventAlarmCallProgress', ppn: 5, trigger: 'asdf', id: 99, destAddr: 'tel:5555', state: 'ringing' },
    ],
    // §1.6 text typed on a handset; `Tel:` comes out as `tel:`; ids from handsets may exceed 2^20
    [
      'EventMessageSend',
      FX.messageSend,
      {
        type: 'EventMessageSend',
        alwaysIndirect: true,
        msg: {
          sendTime: 1574881564,
          id: 67134080,
          ppn: 6201,
          fromAddr: 'tel:4502',
          toAddr: 'tel:8378',
          fromName: 'PoC zivillian',
          priority: 'Normal',
          folder: 'Inbox',
          content: 'Void',
        },
      },
    ],
    // §1.7 booleans as 1/0; the unknown `bluetooth` is ignored
    [
      'GetPPStateResp',
      FX.ppStateResp,
      {
        type: 'GetPPStateResp',
        seq: 600,
        ppn: 600,
        onHook: true,
        registered: true,
        silentCharging: false,
        callState: 'idle',
        swVersion: '5.00.SP5',
        regServerType: 'Primary',
        regServerAddr: '172.20.23.2',
        regServerPort: 5060,
      },
    ],
    // §1.1 the verified Ping
    ['Ping', FX.ping, { type: 'Ping', seq: 2, timeStamp: 1715675759 }],
    // §1.2 the Open we send
    ['Open', FX.open, { type: 'Open', seq: 1, username: 'omm', password: 'omm' }],
  ];
  for (const [name, xml, expected] of cases) {
    it(name, () => assert.deepStrictEqual(decoded(xml), expected));
  }
});

describe('encodeAxi: the request fixtures byte for byte', () => {
  it('Ping (verified bytes)', () => assert.equal(encodeAxi({ type: 'Ping', seq: 2, timeStamp: 1715675759 }), FX.ping));
  it('Open', () => assert.equal(encodeAxi({ type: 'Open', seq: 1, username: 'omm', password: 'omm' }), FX.open));
  it('Subscribe', () => assert.equal(encodeAxi(SUBSCRIBE), FX.subscribe));
  it('SendMessage', () => assert.equal(encodeAxi(SEND_MESSAGE), FX.sendMessage));
  it('SendMessage with <confirmReq> (the XSD spelling, protocols.md open question 1)', () => {
    const xml = encodeAxi({ ...SEND_MESSAGE, confirmElement: 'confirmReq' } as AxiRequest);
    assert.ok(xml.includes('<confirmReq>OrderOk</confirmReq><confirmReq>OrderNok</confirmReq>'));
    assert.deepStrictEqual(decoded(xml), { ...SEND_MESSAGE, confirmElement: 'confirmReq' });
  });
  it('DeleteMessage, CancelMessage, GetPPState, RequestPositionInfo', () => {
    const ref = { sendTime: 1715675759, id: 4711, toAddr: 'tel:4711' };
    assert.equal(
      encodeAxi({ type: 'DeleteMessage', seq: 3, ...ref }),
      '<DeleteMessage seq="3" sendTime="1715675759" id="4711" toAddr="tel:4711" />',
    );
    assert.equal(
      encodeAxi({ type: 'CancelMessage', seq: 4, ...ref }),
      '<CancelMessage seq="4" sendTime="1715675759" id="4711" toAddr="tel:4711" />',
    );
    assert.equal(encodeAxi({ type: 'GetPPState', seq: 5, ppn: 600 }), '<GetPPState seq="5" ppn="600" />');
    assert.equal(encodeAxi({ type: 'RequestPositionInfo', seq: 6, ppn: 7 }), '<RequestPositionInfo seq="6" ppn="7" />');
  });
  it('escapes quotes, markup and CR/LF/TAB in attribute values', () => {
    const xml = encodeAxi({ type: 'Open', seq: 1, username: `a"b'c<d>&e`, password: 'x\ty\r\nz' });
    assert.equal(xml, '<Open seq="1" username="a&quot;b&apos;c&lt;d&gt;&amp;e" password="x&#9;y&#13;&#10;z" />');
  });
});

describe('encodeAxi refuses what the OMM would refuse', () => {
  const msg = (over: Partial<OutgoingMessage>): AxiRequest =>
    ({ ...SEND_MESSAGE, msg: { ...SEND_MESSAGE.msg, ...over } }) as AxiRequest;
  const entry: SubscribeEntry = { cmd: 'On', eventType: 'PPState', ppn: -1 };
  const bad: [string, AxiRequest][] = [
    // §1.3: 1–20 entries per Subscribe
    ['Subscribe without entries', { type: 'Subscribe', seq: 1, entries: [] }],
    ['Subscribe with 21 entries', { type: 'Subscribe', seq: 1, entries: Array(21).fill(entry) }],
    // §1.4: ids below 2^20, non-negative integers
    ['message id 2^20', msg({ id: MESSAGE_ID_LIMIT })],
    ['negative message id', msg({ id: -1 })],
    ['fractional message id', msg({ id: 1.5 })],
    ['DeleteMessage id 2^20', { type: 'DeleteMessage', seq: 1, sendTime: 1, id: MESSAGE_ID_LIMIT, toAddr: 'tel:1' }],
    // §1.4: up to 3 confirmation choices
    ['4 confirmation choices', msg({ confirmations: ['ReadYes', 'ReadNo', 'OrderOk', 'OrderNok'] })],
    // §1.4: signallingVolume 0–100
    ['signallingVolume 101', msg({ signallingVolume: 101 })],
    // a NUL would split the frame; other C0 controls cannot be written in XML 1.0
    ['NUL in content', msg({ content: 'a\0b' })],
    ['BEL in content', msg({ content: 'a\u0007b' })],
    ['lone surrogate in content', msg({ content: 'a\uD800b' })],
    // seq must be a non-negative integer
    ['negative seq', { type: 'Ping', seq: -1, timeStamp: 1 }],
    ['fractional timeStamp', { type: 'Ping', seq: 1, timeStamp: 1.5 }],
  ];
  for (const [name, req] of bad) {
    it(name, () => assert.throws(() => encodeAxi(req), RangeError));
  }
});

describe('decodeAxi: leniency', () => {
  const cases: [string, string, AxiMessage][] = [
    // protocols.md open question 1: the C# class reads `Content`, the XSD says `content`
    [
      'EventAlarmTrigger with Content',
      '<EventAlarmTrigger sendTime="1" id="2" trigger="SOS" ppn="5" fromAddr="tel:4711" Content="Man down" />',
      {
        type: 'EventAlarmTrigger',
        sendTime: 1,
        id: 2,
        trigger: 'SOS',
        ppn: 5,
        fromAddr: 'tel:4711',
        content: 'Man down',
      },
    ],
    [
      'EventAlarmTrigger with content and dialSuffix',
      '<EventAlarmTrigger trigger="LOC-1" fromAddr="TEL:4711" toAddr="tel:9" dialSuffix="12" content="x" uid="3" />',
      {
        type: 'EventAlarmTrigger',
        trigger: 'LOC-1',
        fromAddr: 'tel:4711',
        toAddr: 'tel:9',
        dialSuffix: '12',
        content: 'x',
        uid: 3,
      },
    ],
    // booleans as true/false in any case; only what is present is set
    [
      'EventPPState with true/FALSE',
      '<EventPPState ppn="600" onHook="true" isInCharger="FALSE" batteryLevel="80" />',
      { type: 'EventPPState', ppn: 600, onHook: true, isInCharger: false, batteryLevel: 80 },
    ],
    // a malformed optional value is dropped, not fatal
    ['bad optional boolean dropped', '<EventPPState ppn="1" onHook="maybe" />', { type: 'EventPPState', ppn: 1 }],
    // an XML declaration and surrounding whitespace are tolerated
    [
      'declaration and whitespace',
      '<?xml version="1.0"?>\n <PingResp seq="3" timeStamp="99"/>\n',
      { type: 'PingResp', seq: 3, timeStamp: 99 },
    ],
    // a BOM is stripped
    ['BOM', '\uFEFF<SendMessageResp seq="10"/>', { type: 'SendMessageResp', seq: 10 }],
    // error responses carry errCode, info, bad, maxLen
    [
      'SendMessageResp ETooLong',
      '<SendMessageResp seq="11" errCode="ETooLong" info="content too long" bad="content" maxLen="160"/>',
      { type: 'SendMessageResp', seq: 11, errCode: 'ETooLong', info: 'content too long', bad: 'content', maxLen: 160 },
    ],
    [
      'SubscribeResp EPerm names the event type',
      '<SubscribeResp seq="2" errCode="EPerm" eventType="AlarmTrigger"/>',
      { type: 'SubscribeResp', seq: 2, errCode: 'EPerm', eventType: 'AlarmTrigger' },
    ],
    ['DeleteMessageResp', '<DeleteMessageResp seq="4"/>', { type: 'DeleteMessageResp', seq: 4 }],
    ['RequestPositionInfoResp', '<RequestPositionInfoResp seq="5"/>', { type: 'RequestPositionInfoResp', seq: 5 }],
    // the five XML entities and character references are decoded; other entities stay as written
    [
      'entities in values',
      '<EventMessageProgress sendTime="1" id="2" toAddr="tel:&#x34;7" event="Delivered" ppn="&#51;" />',
      { type: 'EventMessageProgress', sendTime: 1, id: 2, toAddr: 'tel:47', event: 'Delivered', ppn: 3 },
    ],
    [
      'unknown entity kept literally',
      '<EventAlarmTrigger trigger="a&foo;b&amp;c"/>',
      { type: 'EventAlarmTrigger', trigger: 'a&foo;b&c' },
    ],
    // CDATA text is taken literally (here as a confirmation choice)
    [
      'CDATA in a confirmation choice',
      '<SendMessage seq="1"><msg sendTime="1" id="2" toAddr="tel:3" content=""><confirm><![CDATA[Order&amp;Ok]]></confirm></msg></SendMessage>',
      {
        type: 'SendMessage',
        seq: 1,
        msg: { sendTime: 1, id: 2, toAddr: 'tel:3', priority: 'Normal', content: '', confirmations: ['Order&amp;Ok'] },
        confirmElement: 'confirm',
      },
    ],
    // an unknown progress value still decodes (a newer OMM may add values)
    [
      'unknown progress event',
      '<EventMessageProgress sendTime="1" id="2" toAddr="ppn:5" event="SomethingNew"/>',
      { type: 'EventMessageProgress', sendTime: 1, id: 2, toAddr: 'ppn:5', event: 'SomethingNew' },
    ],
    ['EventMessageQueueEmpty', '<EventMessageQueueEmpty ppn="23"/>', { type: 'EventMessageQueueEmpty', ppn: 23 }],
    [
      'EventPPTransaction with rfpId',
      '<EventPPTransaction trType="LocReg" ppn="5" rfpId="12"/>',
      { type: 'EventPPTransaction', trType: 'LocReg', ppn: 5, rfpId: 12 },
    ],
    // <vis> children; one without an id is skipped
    [
      'EventPositionInfo',
      '<EventPositionInfo ppn="3"><vis id="7" rssiAvg="-70"/><vis rssiAvg="-80"/><vis id="8"/></EventPositionInfo>',
      { type: 'EventPositionInfo', ppn: 3, visible: [{ rfpId: 7, rssiAvg: -70 }, { rfpId: 8 }] },
    ],
    // EventRFPState as attributes (python clients) and as <id>/<rfp> children (mitel-api)
    [
      'EventRFPState attributes',
      '<EventRFPState id="1" connected="false"/>',
      { type: 'EventRFPState', rfpId: 1, connected: false, attributes: { id: '1', connected: 'false' } },
    ],
    [
      'EventRFPState children',
      '<EventRFPState><id>4</id><rfp syncState="Synced" connected="1"/></EventRFPState>',
      {
        type: 'EventRFPState',
        rfpId: 4,
        connected: true,
        syncState: 'Synced',
        attributes: { syncState: 'Synced', connected: '1' },
      },
    ],
    // anything else is Unknown, still ok
    [
      'unknown event',
      '<EventSystemState state="x"/>',
      { type: 'Unknown', name: 'EventSystemState', attributes: { state: 'x' } },
    ],
    [
      'unknown response',
      '<GetVersionsResp seq="9"/>',
      { type: 'Unknown', name: 'GetVersionsResp', attributes: { seq: '9' } },
    ],
    // a namespace prefix is not ours to interpret: just an unknown name
    ['prefixed name', '<x:Ping seq="1"/>', { type: 'Unknown', name: 'x:Ping', attributes: { seq: '1' } }],
  ];
  for (const [name, xml, expected] of cases) {
    it(name, () => assert.deepStrictEqual(decoded(xml), expected));
  }
});

describe('decodeAxi refuses bad frames (ok:false with a reason, never a throw)', () => {
  const laughs =
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><EventAlarmTrigger trigger="&lol2;"/>';
  const bad: [string, string, RegExp][] = [
    // nothing at all
    ['empty', '', /well-formed|root/],
    ['whitespace only', ' \n ', /well-formed|root/],
    // text without an element
    ['text only', 'hello', /well-formed|text/],
    // two messages in one frame: the framing is broken
    ['two roots', '<PingResp seq="1"/><PingResp seq="2"/>', /2 root elements/],
    ['text after the root', '<PingResp seq="1"/>junk', /well-formed|text/],
    // XXE and billion laughs
    ['billion laughs', laughs, /DOCTYPE/],
    ['DOCTYPE alone', '<!DOCTYPE PingResp><PingResp seq="1"/>', /DOCTYPE/],
    ['ENTITY in lower case', '<!entity x "y"><PingResp/>', /DOCTYPE|entity/],
    ['external entity', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', /DOCTYPE/],
    // malformed XML
    ['unclosed element', '<SendMessageResp seq="1">', /well-formed/],
    ['mismatched tags', '<a></b>', /well-formed/],
    ['duplicate attribute', '<PingResp seq="1" seq="2"/>', /well-formed/],
    ['attribute without value', '<PingResp seq/>', /well-formed/],
    ['unquoted attribute', '<PingResp seq=1/>', /well-formed/],
    // a known message without what the adapter needs
    ['progress without id', '<EventMessageProgress sendTime="1" toAddr="tel:1" event="Delivered"/>', /'id'/],
    [
      'progress with id="abc"',
      '<EventMessageProgress sendTime="1" id="abc" toAddr="tel:1" event="Delivered"/>',
      /'id'/,
    ],
    ['progress without event', '<EventMessageProgress sendTime="1" id="2" toAddr="tel:1"/>', /'event'/],
    [
      'confirmation without confirmation',
      '<EventMessageConfirmation sendTime="1" id="2" toAddr="tel:1"/>',
      /'confirmation'/,
    ],
    ['EventMessageSend without msg', '<EventMessageSend alwaysIndirect="true"/>', /<msg>/],
    ['EventMessageSend msg without fromAddr', '<EventMessageSend><msg content="x"/></EventMessageSend>', /'fromAddr'/],
    ['EventAlarmTrigger without trigger', '<EventAlarmTrigger fromAddr="tel:1"/>', /'trigger'/],
    ['EventPPTransaction without ppn', '<EventPPTransaction trType="LocReg"/>', /'ppn'/],
    ['EventRFPState without id', '<EventRFPState connected="1"/>', /'id'/],
    ['Subscribe with cmd Maybe', '<Subscribe seq="1"><e cmd="Maybe" eventType="PPState"/></Subscribe>', /cmd/],
    ['id beyond a safe integer', '<EventMessageQueueEmpty ppn="99999999999999999"/>', /'ppn'/],
  ];
  for (const [name, xml, reason] of bad) {
    it(name, () => {
      const r = decodeAxi(xml);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.reason, reason);
        assert.equal(r.frame, xml);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Characters that test the escaping, plus anything XML 1.0 can carry. */
const XML_SPECIALS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '\t',
  '\n',
  '\r',
  ' ',
  'ä',
  'ß',
  '€',
  'Ł',
  '😀',
  '&amp;',
  '&#10;',
  ']]>',
];
const isXmlSafe = (s: string) =>
  [...s].every((ch) => {
    const c = ch.codePointAt(0)!;
    return (
      c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000
    );
  });
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...XML_SPECIALS),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter(isXmlSafe),
    ),
    {
      maxLength: 16,
    },
  )
  .map((parts) => parts.join(''));
const addr = fc.tuple(fc.constantFrom('tel:', 'ppn:', 'sip:'), text).map(([s, t]) => s + t);
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const small = fc.integer({ min: -1, max: 1_000_000 });
const msgId = fc.integer({ min: 0, max: MESSAGE_ID_LIMIT - 1 });
const choice = fc.constantFrom('ReadYes', 'ReadNo', 'OrderOk', 'OrderNok', 'OrderDontKnow', 'CompleteDone');

const subscribeEntry: fc.Arbitrary<SubscribeEntry> = fc.record(
  {
    cmd: fc.constantFrom('On' as const, 'Off' as const),
    eventType: text,
    ppn: small,
    uid: small,
    rfpId: small,
    omm: small,
    trigger: text,
    scheme: text,
  },
  { noNullPrototype: true, requiredKeys: ['cmd', 'eventType'] },
);

const outgoing: fc.Arbitrary<OutgoingMessage> = fc.record(
  {
    sendTime: u32,
    id: msgId,
    toAddr: addr,
    toName: text,
    fromAddr: addr,
    fromName: text,
    callbackAddr: addr,
    callbackName: text,
    priority: fc.constantFrom('Info', 'Low', 'Normal', 'High', 'Emergency', 'LocatingAlert'),
    popUp: fc.boolean(),
    content: text,
    signallingVolume: fc.integer({ min: 0, max: 100 }),
    vibraCall: fc.boolean(),
    ringerTone: fc.boolean(),
    melody: text,
    confirmations: fc.array(choice, { maxLength: 3 }),
  },
  { noNullPrototype: true, requiredKeys: ['sendTime', 'id', 'toAddr', 'priority', 'content', 'confirmations'] },
);

const seq = fc.nat();
const request: fc.Arbitrary<AxiRequest> = fc.oneof(
  fc.record({ type: fc.constant('Open' as const), seq, username: text, password: text }),
  fc.record({
    type: fc.constant('Subscribe' as const),
    seq,
    entries: fc.array(subscribeEntry, { minLength: 1, maxLength: 20 }),
  }),
  fc.record({ type: fc.constant('Ping' as const), seq, timeStamp: u32 }),
  fc.record({
    type: fc.constant('SendMessage' as const),
    seq,
    msg: outgoing,
    confirmElement: fc.constantFrom('confirm' as const, 'confirmReq' as const),
  }),
  fc.record({
    type: fc.constantFrom('DeleteMessage' as const, 'CancelMessage' as const),
    seq,
    sendTime: u32,
    id: msgId,
    toAddr: addr,
  }),
  fc.record({ type: fc.constantFrom('GetPPState' as const, 'RequestPositionInfo' as const), seq, ppn: small }),
);

/** What decoding an encoded request gives back: the confirm element is only visible with choices. */
function expectedRequest(req: AxiRequest): AxiRequest {
  if (req.type !== 'SendMessage' || req.msg.confirmations.length > 0) return req;
  const { confirmElement: _, ...rest } = req;
  return rest;
}

/** encode → frame → NulFramer (byte by byte when `split`) → decode. */
function throughTheWire(xml: string, split: boolean): AxiMessage {
  const bytes = frame(xml);
  const framer = new NulFramer();
  const frames = split ? [...bytes].flatMap((b) => framer.push(Uint8Array.of(b)).frames) : framer.push(bytes).frames;
  assert.equal(frames.length, 1);
  return decoded(frames[0]!);
}

describe('round trips', () => {
  it('every request type: encode → frame → push → decode gives it back', () => {
    fc.assert(
      fc.property(request, fc.boolean(), (req, split) => {
        // structuredClone: fast-check may build null-prototype records; decoded objects are plain
        assert.deepStrictEqual(throughTheWire(encodeAxi(req), split), structuredClone(expectedRequest(req)));
      }),
      { numRuns: 400 },
    );
  });

  /**
   * Test encoders for what the OMM sends: an element built from the expected message with
   * booleans written as 1/0 or true/false, the attribute order shuffled by fast-check.
   */
  const flat = (name: string, attrs: Record<string, string | number | boolean | undefined>, numericBools: boolean) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined) continue;
      out[k] = typeof v === 'boolean' ? (numericBools ? (v ? '1' : '0') : String(v)) : String(v);
    }
    return { name, attrs: out, children: [], text: '' } satisfies AxiElement;
  };
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const ppFields = {
    onHook: opt(fc.boolean()),
    silentCharging: opt(fc.boolean()),
    batteryLevel: opt(fc.integer({ min: 0, max: 100 })),
    swVersion: opt(text),
    callState: opt(text),
    registered: opt(fc.boolean()),
    regServerType: opt(text),
    regServerAddr: opt(text),
    regServerPort: opt(fc.integer({ min: 0, max: 65535 })),
    isInCharger: opt(fc.boolean()),
    isUsbConnected: opt(fc.boolean()),
  };
  const respFields = {
    seq: opt(seq),
    errCode: opt(fc.constantFrom('EAuth', 'EInval', 'EPerm', 'ETooLong')),
    info: opt(text),
    bad: opt(text),
    maxLen: opt(fc.nat()),
  };
  const drop = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

  /** [element to send, message expected back] */
  const incoming: fc.Arbitrary<[AxiElement, AxiMessage]> = fc
    .tuple(
      fc.oneof(
        fc.record({
          type: fc.constant('EventMessageProgress'),
          sendTime: u32,
          id: msgId,
          toAddr: addr,
          event: text,
          ppn: opt(small),
        }),
        fc.record({
          type: fc.constant('EventMessageConfirmation'),
          sendTime: u32,
          id: msgId,
          toAddr: addr,
          fromAddr: opt(addr),
          confTime: opt(u32),
          confirmation: choice,
        }),
        fc.record({ type: fc.constant('EventMessageQueueEmpty'), ppn: small }),
        fc.record({
          type: fc.constant('EventAlarmTrigger'),
          trigger: text,
          sendTime: opt(u32),
          id: opt(msgId),
          ppn: opt(small),
          uid: opt(small),
          fromAddr: opt(addr),
          toAddr: opt(addr),
          dialSuffix: opt(text),
          content: opt(text),
        }),
        fc.record({
          type: fc.constant('EventAlarmCallProgress'),
          state: text,
          ppn: opt(small),
          trigger: opt(text),
          id: opt(small),
          destAddr: opt(addr),
        }),
        fc.record({ type: fc.constant('EventPPState'), ppn: small, ...ppFields }),
        fc.record({ type: fc.constant('EventPPTransaction'), trType: text, ppn: small, rfpId: opt(small) }),
        fc.record({ type: fc.constant('GetPPStateResp'), ppn: opt(small), ...ppFields, ...respFields }),
        fc.record({
          type: fc.constant('OpenResp'),
          ...respFields,
          protocolVersion: opt(fc.nat()),
          ommVersion: opt(text),
          axiVersion: opt(text),
          ommAxiSpecVersion: opt(text),
          ommStbState: opt(text),
        }),
        fc.record({ type: fc.constant('SubscribeResp'), ...respFields, eventType: opt(text) }),
        fc.record({ type: fc.constant('PingResp'), ...respFields, timeStamp: opt(u32) }),
        fc.record({
          type: fc.constantFrom('SendMessageResp', 'DeleteMessageResp', 'CancelMessageResp', 'RequestPositionInfoResp'),
          ...respFields,
        }),
      ),
      fc.boolean(),
    )
    .map(([m, numericBools]): [AxiElement, AxiMessage] => {
      const { type, ...attrs } = m;
      return [flat(type, attrs, numericBools), drop(m) as AxiMessage];
    });

  const structured: fc.Arbitrary<[AxiElement, AxiMessage]> = fc.oneof(
    fc
      .record({
        alwaysIndirect: opt(fc.boolean()),
        msg: fc.record(
          {
            sendTime: u32,
            id: u32,
            ppn: small,
            uid: small,
            fromAddr: addr,
            fromName: text,
            toAddr: addr,
            toName: text,
            priority: fc.constantFrom('Normal', 'High'),
            folder: text,
            content: text,
          },
          { noNullPrototype: true, requiredKeys: ['fromAddr', 'content'] },
        ),
      })
      .map(({ alwaysIndirect, msg }): [AxiElement, AxiMessage] => [
        { ...flat('EventMessageSend', { alwaysIndirect }, false), children: [flat('msg', msg, false)] },
        drop({ type: 'EventMessageSend', alwaysIndirect, msg }),
      ]),
    fc
      .record({
        ppn: small,
        visible: fc.array(fc.record({ rfpId: small, rssiAvg: opt(fc.integer({ min: -120, max: 0 })) })),
      })
      .map(({ ppn, visible }): [AxiElement, AxiMessage] => [
        {
          ...flat('EventPositionInfo', { ppn }, false),
          children: visible.map((v) => flat('vis', { id: v.rfpId, rssiAvg: v.rssiAvg }, false)),
        },
        { type: 'EventPositionInfo', ppn, visible: visible.map(drop) },
      ]),
    fc
      .record({ rfpId: small, connected: opt(fc.boolean()), syncState: opt(text) })
      .map(({ rfpId, connected, syncState }): [AxiElement, AxiMessage] => {
        const el = flat('EventRFPState', { id: rfpId, connected, syncState }, false);
        return [el, drop({ type: 'EventRFPState', rfpId, connected, syncState, attributes: el.attrs })];
      }),
  );

  it('every decoded event and response: test-encode → frame → push → decode gives it back', () => {
    fc.assert(
      fc.property(fc.oneof(incoming, structured), fc.boolean(), ([el, expected], split) => {
        assert.deepStrictEqual(throughTheWire(encodeAxiElement(el), split), structuredClone(expected));
      }),
      { numRuns: 600 },
    );
  });

  it('escapeXml output never holds markup or raw CR/LF/TAB', () => {
    fc.assert(
      fc.property(text, (s) => {
        assert.doesNotMatch(escapeXml(s), /[<>"'\t\n\r]|&(?!(amp|lt|gt|quot|apos|#9|#10|#13);)/);
      }),
    );
  });

  it('decodeAxi never throws on random text', () => {
    const xmlish = fc
      .array(
        fc.oneof(
          fc.constantFrom('<', '>', '/', '=', '"', '&', ';', '<!', '<?', 'e', 'Event', ' ', 'seq'),
          fc.string({ maxLength: 3 }),
        ),
        {
          maxLength: 30,
        },
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(xmlish, fc.string({ unit: 'binary' })), (s) => {
        const r = decodeAxi(s);
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fitText', () => {
  const cases: [string, string, number, string][] = [
    // Latin-1 text that fits is unchanged (accents, ß, the euro-less Latin-1 range)
    ['Latin-1 unchanged', 'Brand Deck 5 – no, ÄÖÜ ß é', 100, 'Brand Deck 5 - no, ÄÖÜ ß é'],
    // decomposed input is composed first, so é stays é
    ['NFD composed', 'e\u0301', 10, 'é'],
    // outside Latin-1: accents dropped, typographic characters replaced, the rest `?`
    ['transliterated', 'Łódź “Fire” €5 … ő', 100, 'Lódz "Fire" EUR5 ... o'],
    ['emoji and CJK', 'A😀火', 10, 'A??'],
    // control characters become spaces (XML cannot carry them)
    ['controls', 'a\u0007b', 10, 'a b'],
    // cut on a character boundary, with an ellipsis, within maxBytes of UTF-8
    ['cut with ellipsis', 'abcdefghij', 8, 'abcde...'],
    ['cut before a two-byte char', 'abcdäää', 6, 'abc...'],
    ['two-byte chars count double', 'ääää', 6, 'ä...'],
    ['two-byte chars, one more byte', 'ääää', 7, 'ää...'],
    ['too small for the ellipsis', 'abcdef', 2, 'ab'],
    ['zero', 'abc', 0, ''],
    ['exactly fits', 'abcä', 5, 'abcä'],
  ];
  for (const [name, input, max, expected] of cases) {
    it(name, () => assert.equal(fitText(input, max), expected));
  }

  it('refuses a negative or fractional maxBytes', () => {
    assert.throws(() => fitText('a', -1), RangeError);
    assert.throws(() => fitText('a', 1.5), RangeError);
  });

  it('always yields Latin-1 without C0 controls other than TAB/LF/CR, within maxBytes, encodable', () => {
    fc.assert(
      fc.property(
        fc.oneof(text, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        fc.nat({ max: 200 }),
        (s, max) => {
          const out = fitText(s, max);
          assert.ok(new TextEncoder().encode(out).length <= max);
          for (const ch of out) {
            const c = ch.codePointAt(0)!;
            assert.ok(
              c <= 0xff && (c >= 0x20 || c === 0x9 || c === 0xa || c === 0xd),
              `U+${c.toString(16)} in ${JSON.stringify(out)}`,
            );
          }
          escapeXml(out); // never throws on fitted text
          // Latin-1 text that fits comes back unchanged
          if (max >= 0) assert.equal(fitText(out, max), out);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('nextMessageKey', () => {
  it('starts at id 0 and the current time', () => {
    assert.deepEqual(nextMessageKey(undefined, 1000), { sendTime: 1000, id: 0 });
  });

  it('wraps the id below 2^20 and moves sendTime on, so the key does not repeat', () => {
    assert.deepEqual(nextMessageKey({ sendTime: 1000, id: MESSAGE_ID_LIMIT - 1 }, 1000), { sendTime: 1001, id: 0 });
  });

  it('keys strictly increase (sendTime, id) whatever the clock does, so none repeats; ids stay < 2^20', () => {
    const key = fc.record({ sendTime: u32, id: msgId });
    fc.assert(
      fc.property(
        key,
        fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 50 }),
        fc.nat({ max: 5 }),
        (start, steps, nearWrap) => {
          let prev: MessageKey = nearWrap > 2 ? { ...start, id: MESSAGE_ID_LIMIT - nearWrap } : start;
          let now = prev.sendTime;
          for (const step of steps) {
            now += step;
            const next = nextMessageKey(prev, now);
            assert.ok(next.id >= 0 && next.id < MESSAGE_ID_LIMIT);
            assert.ok(next.sendTime >= now);
            assert.ok(next.sendTime > prev.sendTime || (next.sendTime === prev.sendTime && next.id > prev.id));
            prev = next;
          }
        },
      ),
    );
  });
});

describe('normalizeAddress', () => {
  it('lowercases the scheme only', () => {
    assert.equal(normalizeAddress('Tel:8378'), 'tel:8378');
    assert.equal(normalizeAddress('TEL:Ab'), 'tel:Ab');
    assert.equal(normalizeAddress('4711'), '4711');
  });
});
