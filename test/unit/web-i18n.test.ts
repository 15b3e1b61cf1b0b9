// The console's five languages are complete: every language has exactly English's keys, no
// message is empty or left in English by mistake where it must differ, and each message uses
// the same {placeholders} as English. Plus the language choice (user's, browser's, fallback).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANGUAGES as USER_LANGUAGES } from '../../src/domain/identity.ts';
import { ALL_MESSAGES as MESSAGES, MESSAGE_SOURCES } from '../../src/web/i18n/all-messages.ts';
import {
  LANGUAGE_NAMES,
  LANGUAGES,
  pickLanguage,
  placeholders,
  translate,
  type AreaMessages,
} from '../../src/web/i18n/i18n.ts';

/** English: the reference key set (the shell's messages and every area's). */
const en = MESSAGES.EN;

/** Keys whose text may equal English in another language (brand words, identical loan words). */
const SAME_AS_ENGLISH_OK = new Set([
  'board.link.live',
  'alarm.group',
  'nav.admin',
  'nav.contacts',
  'nav.configuration',
  // Protocol and product names, and words some languages share with English.
  'source.http',
  'source.espa444',
  'source.espax',
  'source.other',
  'source.supervision',
  'source.simulation',
]);

describe('web console i18n', () => {
  it('offers exactly the languages a user may have', () => {
    assert.deepEqual([...LANGUAGES].sort(), [...USER_LANGUAGES].sort());
    assert.deepEqual(Object.keys(LANGUAGE_NAMES).sort(), [...LANGUAGES].sort());
  });

  it('no two areas define the same key (one would silently hide the other)', () => {
    const owner = new Map<string, string>();
    for (const [area, src] of Object.entries(MESSAGE_SOURCES) as [string, AreaMessages<string>][]) {
      for (const key of Object.keys(src.EN)) {
        assert.equal(owner.get(key), undefined, `${key} is in ${owner.get(key)} and ${area}`);
        owner.set(key, area);
        if (area !== 'shell') assert.ok(key.startsWith(`${area}.`), `${area}'s key ${key} lacks its prefix`);
      }
    }
    assert.equal(owner.size, Object.keys(en).length);
  });

  for (const lang of LANGUAGES) {
    it(`${lang}: has every English key and no other`, () => {
      const keys = Object.keys(MESSAGES[lang]).sort();
      const want = Object.keys(en).sort();
      const missing = want.filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !want.includes(k));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });

    it(`${lang}: every message is non-empty and has English's placeholders`, () => {
      for (const [key, text] of Object.entries(MESSAGES[lang])) {
        assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
        assert.deepEqual(placeholders(text), placeholders(en[key as keyof typeof en]), `${lang} ${key}`);
      }
    });
  }

  it('translations are not English copies (apart from the listed exceptions)', () => {
    for (const lang of LANGUAGES.filter((l) => l !== 'EN')) {
      // Each differs from English in every message but the listed ones.
      const same = Object.entries(MESSAGES[lang]).filter(
        ([k, v]) => v === en[k as keyof typeof en] && !SAME_AS_ENGLISH_OK.has(k),
      );
      assert.deepEqual(same, [], lang);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(translate('DE', 'board.count', { n: 3 }), 'Aktive Alarme: 3');
    assert.equal(translate('EN', 'board.count'), 'Active alarms: {n}');
  });

  it('picks the user choice, else the browser language, else English', () => {
    // an explicit valid choice wins over the browser
    assert.equal(pickLanguage('FR', ['de-DE']), 'FR');
    // a lower-case stored choice still counts
    assert.equal(pickLanguage('nl', []), 'NL');
    // an invalid choice falls back to the browser's first known language (region ignored)
    assert.equal(pickLanguage('XX', ['it-IT', 'da-DK', 'de']), 'DA');
    // nothing known: English
    assert.equal(pickLanguage(null, ['ja', 'zh-CN']), 'EN');
  });
});
