/**
 * The console's five languages (the users' `language`: DE, DA, EN, FR, NL), pure. The shell's
 * messages live in messages-<lang>.ts; each area of the console (administration, plans,
 * operation, system) keeps its own in its folder's messages.ts, one object per language, so
 * areas grow without touching each other. English is the key set; every other language must
 * have exactly its keys (the compiler checks the literal objects, test/unit/web-i18n.test.ts
 * checks keys, placeholders and that no two areas share a key at run time).
 *
 * The shell's and the operation area's messages (the board uses both) are in the main bundle.
 * Administration, plans and system — most of the console's text — come with their pages' chunks:
 * views.tsx loads an area's messages with its page and adds them here (`addMessages`) before the
 * page renders. Their keys are in MessageKey all the same (types only), so every key is checked
 * at compile time; a key whose area has not been added is shown as the key and logged as an
 * error (the e2e tests fail on console errors).
 */
import type { adminMessages } from '../admin/messages.ts';
import { opsMessages } from '../ops/messages.ts';
import type { planMessages } from '../plans/messages.ts';
import type { systemMessages } from '../system/messages.ts';
import { da } from './messages-da.ts';
import { de } from './messages-de.ts';
import { en, type MessageKey as ShellKey } from './messages-en.ts';
import { fr } from './messages-fr.ts';
import { nl } from './messages-nl.ts';

export const LANGUAGES = ['DE', 'DA', 'EN', 'FR', 'NL'] as const;
export type Language = (typeof LANGUAGES)[number];

/** An area's messages: English defines the keys, every language has exactly those. */
export type AreaMessages<K extends string> = Readonly<Record<Language, Readonly<Record<K, string>>>>;

/** The shell's messages. */
export const SHELL_MESSAGES = { DE: de, DA: da, EN: en, FR: fr, NL: nl } as AreaMessages<ShellKey>;

/** Every area's messages by area, as types: the shell, then each area (each its own key prefix). */
export interface MessageSources {
  readonly shell: typeof SHELL_MESSAGES;
  readonly admin: typeof adminMessages;
  readonly ops: typeof opsMessages;
  readonly plans: typeof planMessages;
  readonly system: typeof systemMessages;
}

type KeysOf<A> = A extends AreaMessages<infer K> ? K : never;
export type MessageKey = { [S in keyof MessageSources]: KeysOf<MessageSources[S]> }[keyof MessageSources];

const loaded = Object.fromEntries(
  LANGUAGES.map((l) => [l, { ...SHELL_MESSAGES[l], ...opsMessages[l] } as Record<string, string>]),
) as Record<Language, Record<string, string>>;

/**
 * The messages loaded so far, by language: the shell's and the operation area's from the start,
 * each other area's once `addMessages` has added it.
 */
export const MESSAGES = loaded as Readonly<Record<Language, Readonly<Partial<Record<MessageKey, string>>>>>;

/** Adds an area's messages (views.tsx, when a page of the area is first opened). Idempotent. */
export function addMessages(area: AreaMessages<string>): void {
  for (const l of LANGUAGES) Object.assign(loaded[l], area[l]);
}

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

/** The message `key` in `lang` with `{name}` placeholders filled from `params`; the key itself when its area is not loaded. */
export function translate(
  lang: Language,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  const message = MESSAGES[lang][key];
  if (message === undefined) {
    console.error(`message ${key}: the messages of its area are not loaded`);
    return key;
  }
  return message.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** The `{name}` placeholders of a message, sorted (for the completeness test). */
export const placeholders = (message: string): string[] => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
