/**
 * Every area's messages at once, for the tests and tools that check them (completeness,
 * placeholders, disjoint keys). Not imported by the console itself: there the areas come with
 * their pages (i18n.ts). Importing this module adds every area to `MESSAGES`.
 */
import { adminMessages } from '../admin/messages.ts';
import { opsMessages } from '../ops/messages.ts';
import { planMessages } from '../plans/messages.ts';
import { systemMessages } from '../system/messages.ts';
import { addMessages, LANGUAGES, SHELL_MESSAGES, type Language, type MessageKey, type MessageSources } from './i18n.ts';

/** The shell's messages, then each area's (each its own key prefix). */
export const MESSAGE_SOURCES: MessageSources = {
  shell: SHELL_MESSAGES,
  admin: adminMessages,
  ops: opsMessages,
  plans: planMessages,
  system: systemMessages,
};

for (const area of Object.values(MESSAGE_SOURCES)) addMessages(area);

/** All messages by language. */
export const ALL_MESSAGES = Object.fromEntries(
  LANGUAGES.map((l) => [l, Object.assign({}, ...Object.values(MESSAGE_SOURCES).map((src) => src[l]))]),
) as Readonly<Record<Language, Readonly<Record<MessageKey, string>>>>;
