// Notification profiles → handset messages, and handset answers → alarm events
// (adapters/dect/dect-mapping.ts): tables for the priority, sound, answer and progress
// mappings; then fast-check over random profiles and texts: the message always encodes,
// its text is Latin-1 within the handset's limit, and a tone or vibration always comes with an
// explicit volume (without one the handset stays silent).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeAxi } from '../../adapters/dect/dect-codec.ts';
import {
  alarmTypeForText,
  messageFor,
  priorityOf,
  progressOutcome,
  responseOf,
  volumePercent,
  type HandsetProfile,
} from '../../adapters/dect/dect-mapping.ts';

const opts = {
  key: { sendTime: 1_715_675_759, id: 4711 },
  toAddr: 'tel:4711',
  fromAddr: 'tel:9999',
  fromName: 'Alarm Server',
  maxContentBytes: 160,
};

const emergency: HandsetProfile = {
  priority: 'emergency',
  popup: true,
  tone: 3,
  volume: 9,
  vibration: true,
  confirmation: ['accept', 'reject'],
};

describe('handset messages', () => {
  it('an emergency profile: Emergency, pop-up, melody with ringer, vibration, full volume, OrderOk/OrderNok', () => {
    assert.deepEqual(messageFor({ text: 'FIRE Deck 5 cabin 5012', priority: 1 }, emergency, opts), {
      sendTime: 1_715_675_759,
      id: 4711,
      toAddr: 'tel:4711',
      fromAddr: 'tel:9999',
      fromName: 'Alarm Server',
      priority: 'Emergency',
      popUp: true,
      content: 'FIRE Deck 5 cabin 5012',
      melody: 'MsgMelody3',
      ringerTone: true,
      vibraCall: true,
      signallingVolume: 100,
      confirmations: ['OrderOk', 'OrderNok'],
    });
  });

  it('no profile: the alarm priority decides, no sound options, accept and reject offered', () => {
    const m = messageFor({ text: 'Pump 2', priority: 5 }, undefined, opts);
    assert.equal(m.priority, 'Normal');
    assert.equal(m.signallingVolume, undefined);
    assert.deepEqual(m.confirmations, ['OrderOk', 'OrderNok']);
  });

  it('a quiet profile without answers; "don\'t know" only next to real choices', () => {
    const quiet: HandsetProfile = { ...emergency, priority: 'low', tone: 0, vibration: false, confirmation: [] };
    const m = messageFor({ text: 'FYI', priority: 8 }, quiet, { ...opts, offerDontKnow: true });
    assert.equal(m.priority, 'Low');
    assert.deepEqual(m.confirmations, []);
    assert.equal(m.signallingVolume, undefined);
    const accept = messageFor(
      { text: 'x', priority: 2 },
      { ...quiet, confirmation: ['accept'] },
      {
        ...opts,
        offerDontKnow: true,
      },
    );
    assert.deepEqual(accept.confirmations, ['OrderOk', 'OrderDontKnow']);
  });

  it('a named tone of the handset model is passed as the melody', () => {
    assert.equal(messageFor({ text: 'x', priority: 2 }, { ...emergency, tone: 'alarm-2' }, opts).melody, 'alarm-2');
  });

  it('text outside Latin-1 is fitted, and cut to the handset length', () => {
    const m = messageFor({ text: `Brand “Deck 5” – Kabine 5012 🔥 ${'x'.repeat(300)}`, priority: 1 }, undefined, opts);
    assert.match(m.content, /^Brand "Deck 5" - Kabine 5012 \? x+\.\.\.$/);
    assert.ok(Buffer.byteLength(m.content) <= 160);
  });

  it('priority numbers', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 6, 7, 9].map(priorityOf), [
      'Emergency',
      'Emergency',
      'High',
      'High',
      'Normal',
      'Normal',
      'Low',
      'Low',
    ]);
  });

  it('volume 0–9 → 1–100 %', () => {
    assert.deepEqual([0, 1, 5, 9, 12].map(volumePercent), [1, 11, 56, 100, 100]);
  });
});

describe('typed messages → alarm types', () => {
  it('the first glob that matches the whole text, case ignored; regex characters are literal', () => {
    const rules = [
      { pattern: 'FIRE*', alarmType: 'fire' },
      { pattern: '*help*', alarmType: 'emergency' },
      { pattern: 'a.b', alarmType: 'dot' },
    ];
    assert.deepEqual(
      ['fire in cabin 5', 'Need HELP now', 'fire, help!', 'a.b', 'axb', 'hello', '  FIRE  '].map((t) =>
        alarmTypeForText(rules, t),
      ),
      ['fire', 'emergency', 'fire', 'dot', undefined, undefined, 'fire'],
    );
    assert.equal(alarmTypeForText([], 'FIRE'), undefined);
  });
});

describe('handset answers and progress', () => {
  it('confirmations', () => {
    assert.deepEqual(
      ['OrderOk', 'OrderNok', 'OrderDontKnow', 'ReadYes', 'ReadNo', 'CompleteDone', 'x'].map(responseOf),
      ['accept', 'reject', 'dont-know', undefined, undefined, undefined, undefined],
    );
  });

  it('progress events', () => {
    const rows: [string, string][] = [
      ['Delivered', 'delivered'],
      ['PagingTimeout', 'pending'],
      ['Busy', 'resend:later'],
      ['Overridden', 'resend:queue-empty'],
      ['TemporaryUnavailable', 'failed'],
      ['Rejected', 'failed'],
      ['WrongURI', 'failed'],
      ['WrongCharacterSet', 'failed'],
      ['Unknown', 'failed'],
      ['DeleteDelivered', 'withdrawn'],
      ['DeleteOverridden', 'withdrawn'],
      ['SomethingNew', 'ignored'],
    ];
    for (const [event, want] of rows) {
      const o = progressOutcome(event);
      assert.equal(o.kind === 'resend' ? `resend:${o.when}` : o.kind, want, event);
    }
  });
});

const profileArb: fc.Arbitrary<HandsetProfile> = fc.record({
  priority: fc.constantFrom('emergency', 'high', 'normal', 'low'),
  popup: fc.boolean(),
  tone: fc.oneof(fc.integer({ min: 0, max: 31 }), fc.stringMatching(/^[a-z0-9-]{1,32}$/)),
  volume: fc.integer({ min: 0, max: 9 }),
  vibration: fc.boolean(),
  confirmation: fc.subarray(['accept', 'reject'] as ('accept' | 'reject')[]),
});

describe('handset messages: properties', () => {
  it('always encode; Latin-1 text within the limit; sound always with an explicit volume', () => {
    fc.assert(
      fc.property(
        fc.option(profileArb, { nil: undefined }),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 16, max: 500 }),
        (profile, text, priority, max) => {
          const m = messageFor({ text, priority }, profile, { ...opts, maxContentBytes: max, offerDontKnow: true });
          assert.ok(Buffer.byteLength(m.content) <= max);
          assert.ok([...m.content].every((c) => c.codePointAt(0)! <= 0xff));
          if (m.melody !== undefined || m.vibraCall) assert.ok(m.signallingVolume! >= 1);
          assert.ok(m.confirmations.length <= 3);
          encodeAxi({ type: 'SendMessage', seq: 1, msg: m });
        },
      ),
      { numRuns: 500 },
    );
  });
});
