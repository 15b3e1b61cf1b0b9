/**
 * The console's five languages (the users' `language`: DE, DA, EN, FR, NL), pure. English is
 * the key set; every other language must have exactly its keys (the compiler checks the
 * literal objects, test/unit/web-i18n.test.ts checks keys and placeholders at run time).
 */
import { da } from './messages-da.ts';
import { de } from './messages-de.ts';
import { en, type MessageKey } from './messages-en.ts';
import { fr } from './messages-fr.ts';
import { nl } from './messages-nl.ts';

export type { MessageKey } from './messages-en.ts';
export const LANGUAGES = ['DE', 'DA', 'EN', 'FR', 'NL'] as const;
export type Language = (typeof LANGUAGES)[number];

export const MESSAGES: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = {
  DE: de,
  DA: da,
  EN: en,
  FR: fr,
  NL: nl,
};

/** Each language's own name, shown untranslated in the switch. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  DE: 'Deutsch',
  DA: 'Dansk',
  EN: 'English',
  FR: 'Français',
  NL: 'Nederlands',
};

/** BCP 47 tag for `lang` attributes and Intl (British English: 24-hour times, as control rooms use). */
export const LOCALE: Readonly<Record<Language, string>> = { DE: 'de', DA: 'da', EN: 'en-GB', FR: 'fr', NL: 'nl' };

export const isLanguage = (s: unknown): s is Language =>
  typeof s === 'string' && (LANGUAGES as readonly string[]).includes(s);

/**
 * The language to show: the user's choice when valid, else the first of the browser's
 * languages (`de-CH` counts as DE) that Tocsin has, else English.
 */
export function pickLanguage(chosen: string | null | undefined, browser: readonly string[]): Language {
  const c = chosen?.toUpperCase();
  if (isLanguage(c)) return c;
  for (const tag of browser) {
    const primary = tag.split('-', 1)[0]!.toUpperCase();
    if (isLanguage(primary)) return primary;
  }
  return 'EN';
}

/** The message `key` in `lang` with `{name}` placeholders filled from `params`. Total. */
export function translate(
  lang: Language,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : m,
  );
}

/** The `{name}` placeholders of a message, sorted (for the completeness test). */
export const placeholders = (message: string): string[] => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
