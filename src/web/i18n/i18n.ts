/**
 * The console's five languages (the users' `language`: DE, DA, EN, FR, NL), pure. The shell's
 * messages live in messages-<lang>.ts; each area of the console (administration, plans,
 * operation, system) keeps its own in its folder's messages.ts, one object per language, so
 * areas grow without touching each other. English is the key set; every other language must
 * have exactly its keys (the compiler checks the literal objects, test/unit/web-i18n.test.ts
 * checks keys, placeholders and that no two areas share a key at run time).
 */
import { adminMessages } from '../admin/messages.ts';
import { opsMessages } from '../ops/messages.ts';
import { planMessages } from '../plans/messages.ts';
import { systemMessages } from '../system/messages.ts';
import { da } from './messages-da.ts';
import { de } from './messages-de.ts';
import { en, type MessageKey as ShellKey } from './messages-en.ts';
import { fr } from './messages-fr.ts';
import { nl } from './messages-nl.ts';

export const LANGUAGES = ['DE', 'DA', 'EN', 'FR', 'NL'] as const;
export type Language = (typeof LANGUAGES)[number];

/** An area's messages: English defines the keys, every language has exactly those. */
export type AreaMessages<K extends string> = Readonly<Record<Language, Readonly<Record<K, string>>>>;

/** The shell's messages, then each area's (each its own key prefix). */
export const MESSAGE_SOURCES = {
  shell: { DE: de, DA: da, EN: en, FR: fr, NL: nl } as AreaMessages<ShellKey>,
  admin: adminMessages,
  ops: opsMessages,
  plans: planMessages,
  system: systemMessages,
} as const;

type KeysOf<A> = A extends AreaMessages<infer K> ? K : never;
export type MessageKey = {
  [S in keyof typeof MESSAGE_SOURCES]: KeysOf<(typeof MESSAGE_SOURCES)[S]>;
}[keyof typeof MESSAGE_SOURCES];

export const MESSAGES: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = Object.fromEntries(
  LANGUAGES.map((l) => [
    l,
    Object.assign({}, ...Object.values(MESSAGE_SOURCES).map((src: AreaMessages<string>) => src[l])) as Record<
      MessageKey,
      string
    >,
  ]),
) as Record<Language, Record<MessageKey, string>>;

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
