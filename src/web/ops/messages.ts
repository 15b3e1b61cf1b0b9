/**
 * The console's messages for Operation: phones, contacts, forward, cancel all, in the five languages.
 * English defines the keys (each starts with 'ops.'); every language has exactly those.
 */
import type { AreaMessages } from '../i18n/i18n.ts';

const EN = {} as const;

export const opsMessages: AreaMessages<keyof typeof EN> = {
  EN,
  DE: {},
  DA: {},
  FR: {},
  NL: {},
};
