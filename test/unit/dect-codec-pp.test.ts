// OM AXI provisioning events (adapters/dect/dect-codec-pp.ts through decodeAxi): fixtures from
// the public sources decode to the expected messages (the mitel-api SetPPResp fixture's `<pp>`
// and `<user>` attributes, re-wrapped as the events that carry the same types; its EventPPCnf
// fixture verbatim; mitel_ommclient2's EventPPDevCnf fixture verbatim); a `<pp>` without ppn or
// a `<user>` without uid is refused. Then fast-check: random provisioning events, written as
// XML full of `<>&"'` and CR/LF/TAB, come back through frame → NulFramer → decode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAxi, type AxiElement, type AxiMessage } from '../../adapters/dect/dect-codec.ts';
import { encodeAxiElement } from '../../adapters/dect/dect-codec-encode.ts';
import { frame, NulFramer } from '../../adapters/dect/dect-framing.ts';

const decoded = (xml: string): AxiMessage => {
  const r = decodeAxi(xml);
  if (!r.ok) throw new Error(`${r.reason}: ${r.frame}`);
  return r.message;
};

/** mitel-api `OmmMessageTest.cs` CanDeserializeSetPPResp: the `<pp>` element (abridged: keys only dropped, no values changed). */
const PP_FIXTURE =
  '<pp ppn="32" ppnSec="0" relType="Unbound" uid="0" timeStamp="1520386972" ipei="03074 0220259 3" ac="" s="Yes" ' +
  'uak="C70FF5D60D1448184995414BA9577C5B" encrypt="1" capMessaging="0" capMessagingForInternalUse="0" capEnhLocating="1" ' +
  'capBluetooth="0" ethAddr="" hwType="Unknown" ppProfileCapability="0" ppDefaultProfileLoaded="0" autoCreate="1" />';
/** The same fixture's `<user>` element (abridged likewise). */
const USER_FIXTURE =
  '<user uid="4" uidSec="0" permanent="0" relType="Unbound" ppn="0" timeStamp="1520386972" name="1234" num="1234" ' +
  'hierarchy1="" hierarchy2="" addId="1234" sipAuthId="1234" sosNum="" manDownNum="" voiceboxNum="" lang="English" ' +
  'forwardState="Off" locRight="0" locatable="0" msgRight="1" />';

describe('decodeAxi: provisioning fixtures', () => {
  const cases: [string, string, AxiMessage][] = [
    [
      // mitel_ommclient2 test: the smallest EventPPDevCnf
      'EventPPDevCnf, ppn only',
      '<EventPPDevCnf><pp ppn="5"/></EventPPDevCnf>',
      { type: 'EventPPDevCnf', pp: [{ ppn: 5 }] },
    ],
    [
      'EventPPDevCnf with the SetPPResp <pp>',
      `<EventPPDevCnf>${PP_FIXTURE}</EventPPDevCnf>`,
      {
        type: 'EventPPDevCnf',
        pp: [
          {
            ppn: 32,
            uid: 0,
            relType: 'Unbound',
            ipei: '03074 0220259 3',
            hwType: 'Unknown',
            subscription: 'Yes',
            capMessaging: false,
          },
        ],
      },
    ],
    [
      'EventPPUserCnf with the SetPPResp <user>',
      `<EventPPUserCnf>${USER_FIXTURE}</EventPPUserCnf>`,
      {
        type: 'EventPPUserCnf',
        user: [
          {
            uid: 4,
            ppn: 0,
            relType: 'Unbound',
            name: '1234',
            num: '1234',
            lang: 'English',
            hierarchy1: '',
            hierarchy2: '',
            locatable: false,
          },
        ],
      },
    ],
    [
      // deletion: only the key, and deleted="1" (mitel-api's comment on EventPPDevCnf)
      'EventPPDevCnf deleted',
      '<EventPPDevCnf deleted="1"><pp ppn="7"/></EventPPDevCnf>',
      { type: 'EventPPDevCnf', deleted: true, pp: [{ ppn: 7 }] },
    ],
    [
      // mitel-api CanDeserializeEventPPCnf, verbatim
      'EventPPCnf deletedUser (fixture)',
      '<EventPPCnf deletedUser="1"><user uid="25" uidSec="0" /></EventPPCnf>',
      { type: 'EventPPCnf', deletedUser: true, pp: [], user: [{ uid: 25 }] },
    ],
    [
      // several children (mitel_ommclient2 reads a list), `true` for a boolean
      'EventPPUserCnf with two users',
      '<EventPPUserCnf deleted="true"><user uid="1"/><user uid="2" name="B &amp; C"/></EventPPUserCnf>',
      { type: 'EventPPUserCnf', deleted: true, user: [{ uid: 1 }, { uid: 2, name: 'B & C' }] },
    ],
  ];
  for (const [name, xml, want] of cases) it(name, () => assert.deepStrictEqual(decoded(xml), want));

  const refused: [string, string][] = [
    ['a <pp> without ppn', '<EventPPDevCnf><pp uid="3"/></EventPPDevCnf>'],
    ['a <user> without uid', '<EventPPUserCnf><user name="x"/></EventPPUserCnf>'],
    ['EventPPDevCnf without <pp>', '<EventPPDevCnf deleted="1"/>'],
    ['EventPPUserCnf without <user>', '<EventPPUserCnf/>'],
    ['a ppn that is not a number', '<EventPPCnf><pp ppn="five"/></EventPPCnf>'],
  ];
  for (const [name, xml] of refused)
    it(`refused: ${name}`, () => {
      const r = decodeAxi(xml);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.frame, xml);
    });
});

const isXmlChar = (c: number) =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;

describe('provisioning events: properties', () => {
  const text = fc
    .array(
      fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", '\t', '\n', '\r', 'ä', '€'), fc.string({ maxLength: 2 })),
      {
        maxLength: 12,
      },
    )
    // Only characters XML 1.0 can carry (fc.string may give C0 controls).
    .map((p) => [...p.join('')].filter((ch) => isXmlChar(ch.codePointAt(0)!)).join(''));
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const id = fc.integer({ min: 0, max: 100_000 });
  const drop = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const el = (name: string, attrs: Record<string, unknown>, children: AxiElement[] = []): AxiElement => ({
    name,
    attrs: Object.fromEntries(
      Object.entries(attrs)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]),
    ),
    children,
    text: '',
  });
  const pp = fc.record({
    ppn: id,
    uid: opt(id),
    relType: opt(fc.constantFrom('Unbound', 'Dynamic', 'Fixed')),
    ipei: opt(text),
    hwType: opt(text),
    subscription: opt(fc.constantFrom('Yes', 'No')),
    capMessaging: opt(fc.boolean()),
  });
  const user = fc.record({
    uid: id,
    ppn: opt(id),
    relType: opt(fc.constantFrom('Unbound', 'Dynamic', 'Fixed')),
    name: opt(text),
    num: opt(text),
    lang: opt(fc.constantFrom('English', 'German', 'French')),
    hierarchy1: opt(text),
    hierarchy2: opt(text),
    locatable: opt(fc.boolean()),
  });
  const ppEl = ({ subscription, ...p }: Record<string, unknown>) => el('pp', { ...p, s: subscription });
  const event: fc.Arbitrary<[AxiElement, AxiMessage]> = fc.oneof(
    fc
      .record({ deleted: opt(fc.boolean()), pp: fc.array(pp, { minLength: 1, maxLength: 3 }) })
      .map(({ deleted, pp }): [AxiElement, AxiMessage] => [
        el('EventPPDevCnf', { deleted }, pp.map(ppEl)),
        drop({ type: 'EventPPDevCnf', deleted, pp: pp.map(drop) }) as AxiMessage,
      ]),
    fc
      .record({ deleted: opt(fc.boolean()), user: fc.array(user, { minLength: 1, maxLength: 3 }) })
      .map(({ deleted, user }): [AxiElement, AxiMessage] => [
        el(
          'EventPPUserCnf',
          { deleted },
          user.map((u) => el('user', u)),
        ),
        drop({ type: 'EventPPUserCnf', deleted, user: user.map(drop) }) as AxiMessage,
      ]),
    fc
      .record({
        deletedDev: opt(fc.boolean()),
        deletedUser: opt(fc.boolean()),
        pp: fc.array(pp, { maxLength: 2 }),
        user: fc.array(user, { maxLength: 2 }),
      })
      .map(({ deletedDev, deletedUser, pp, user }): [AxiElement, AxiMessage] => [
        el('EventPPCnf', { deletedDev, deletedUser }, [...pp.map(ppEl), ...user.map((u) => el('user', u))]),
        drop({ type: 'EventPPCnf', deletedDev, deletedUser, pp: pp.map(drop), user: user.map(drop) }) as AxiMessage,
      ]),
  );

  it('test-encode → frame → push (whole or byte by byte) → decode gives the event back', () => {
    fc.assert(
      fc.property(event, fc.boolean(), ([element, expected], split) => {
        const bytes = frame(encodeAxiElement(element));
        const framer = new NulFramer();
        const frames = split
          ? [...bytes].flatMap((b) => framer.push(Uint8Array.of(b)).frames)
          : framer.push(bytes).frames;
        assert.equal(frames.length, 1);
        assert.deepStrictEqual(decoded(frames[0]!), structuredClone(expected));
      }),
      { numRuns: 400 },
    );
  });
});
